#!/usr/bin/env bash
# Installs every Debian 12 package Heyo Access needs to build, test and run its demo. Idempotent.
set -euo pipefail

PACKAGES=(
  # build
  cmake g++ ninja-build pkg-config git ca-certificates
  qt6-base-dev qt6-base-dev-tools qt6-webengine-dev qt6-websockets-dev qt6-tools-dev qt6-tools-dev-tools
  qt6-l10n-tools qt6-svg-dev libqt6sql6-sqlite qtkeychain-qt6-dev libssl-dev libsqlite3-dev libcrypt-dev node-llhttp libgl-dev
  libnghttp2-dev # HTTP/2 (src/net)
  libtcmalloc-minimal4 # the programs' allocator (CMakeLists.txt: HEYO_TCMALLOC)
  # tests: display, session bus, keychain, tray host, real clients
  xvfb xauth dbus dbus-x11 gnome-keyring libsecret-tools libsecret-1-0 trayer imagemagick x11-apps
  curl openssl procps iproute2 util-linux fcgiwrap chromium
  nghttp2-client nghttp2-server python3-h2 python3-grpcio python3-grpc-tools # HTTP/2 and gRPC clients and servers
  # packaging: icon renders, the package checks, the completion loader
  librsvg2-bin lintian desktop-file-utils appstream bash-completion
  wrk nginx haproxy # bench/run.sh: the forwarder benchmark against nginx and haproxy
  # fuzzing
  clang libclang-rt-14-dev
  # code style: scripts/check-format.sh, scripts/check-tidy.sh
  clang-format clang-tidy
)

missing=()
# Node.js (for the WebSocket test client) comes preinstalled on our machines from another source whose
# package conflicts with Debian's npm; install Debian's only where no node exists.
command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs npm)
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
