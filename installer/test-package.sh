#!/usr/bin/env bash
# The package test (ctest label `package`): builds the .deb with CPack, lints it (lintian, desktop-file-validate,
# appstreamcli), installs it with dpkg, runs the three programs from /usr/bin, removes it and checks that nothing of
# it is left. Leaves the machine as it found it, also on failure. Needs root and an X display ($DISPLAY).
#   installer/test-package.sh <build dir>
set -euo pipefail

BUILD=${1:?usage: installer/test-package.sh <build dir>}
BUILD=$(cd "$BUILD" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
PKG=heyo-access

failures=0
passes=0
pass() { passes=$((passes + 1)); echo "PASS: $*"; }
fail() { failures=$((failures + 1)); echo "FAIL: $*" >&2; }
die() { echo "test-package: $*" >&2; exit 1; }

# --- Preconditions: each missing one is a failure with the reason, never a skip.
[ "$(id -u)" -eq 0 ] || die "needs root (it installs and removes the package with dpkg)"
for tool in cpack dpkg dpkg-deb lintian desktop-file-validate appstreamcli; do
    command -v "$tool" >/dev/null || die "$tool is missing: run scripts/install-deps.sh"
done
[ -f "$BUILD/CPackConfig.cmake" ] || die "$BUILD has no CPackConfig.cmake: configure it with CMake first"
# A run killed outright (ctest's timeout) cannot clean up; its marker tells its leftover from a real installation.
MARK=/var/tmp/heyo-package-test.installed
is_installed() { dpkg-query -W -f='${db:Status-Abbrev}' "$PKG" 2>/dev/null | grep -q '^[ihr]'; }
if is_installed; then
    if [ -f "$MARK" ]; then
        echo "test-package: removing $PKG left installed by an interrupted run"
        dpkg --purge "$PKG" >/dev/null || die "cannot remove the $PKG left by an interrupted run"
    else
        die "$PKG is already installed on this machine; this test would replace and then remove it. Remove it first."
    fi
fi
rm -f "$MARK"

T=$(mktemp -d /tmp/heyo-package-test.XXXXXX)
installed=0
app_pids=()
cleanup() {
    local rc=$?
    set +e # every step of the clean-up must run, whatever fails
    for pid in "${app_pids[@]}"; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    if [ "$installed" -eq 1 ] && is_installed; then
        echo "test-package: removing $PKG to restore the machine"
        dpkg --purge "$PKG" >/dev/null 2>&1 || echo "test-package: could not remove $PKG" >&2
    fi
    is_installed || rm -f "$MARK"
    rm -rf "$T"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Build: the programs and data first (only what the package holds), then the package.
echo "== building the programs and the package data"
targets=(heyo heyo-edge heyo-access heyo_package_data)
command -v ninja >/dev/null || die "ninja is missing (the build is configured with -G Ninja)"
ninja -C "$BUILD" -t targets all >"$T/targets" 2>/dev/null || die "cannot list the targets of $BUILD (not a Ninja build?)"
has_target() { grep -q "^$1:" "$T/targets"; }
optional=()
for t in heyo_icon_pngs heyo_browser_signin heyo_endpoint_browser; do
    if has_target "$t"; then targets+=("$t"); optional+=("$t"); fi
done
for t in "${targets[@]}"; do
    has_target "$t" ||
        die "the build has no target '$t' (heyo-access needs HEYO_BUILD_GUI=ON and app/heyo-access)"
done
cmake --build "$BUILD" --target "${targets[@]}" >"$T/build.log" 2>&1 || { tail -40 "$T/build.log"; die "build failed"; }

echo "== cpack -G DEB"
rm -rf "$BUILD/package"
(cd "$BUILD" && cpack -G DEB --config CPackConfig.cmake) >"$T/cpack.log" 2>&1 ||
    { cat "$T/cpack.log"; die "cpack failed"; }
DEB=$(find "$BUILD/package" -maxdepth 1 -name "${PKG}_*.deb" | head -n1)
[ -n "$DEB" ] || { cat "$T/cpack.log"; die "cpack made no ${PKG}_*.deb"; }
echo "package: $DEB"
dpkg-deb --field "$DEB"

# --- Contents.
dpkg-deb --contents "$DEB" | awk '{print $1, $NF}' | sed 's#\./#/#' >"$T/contents"
sed 's/^[^ ]* //; s#/$##' "$T/contents" | grep -v '^/$' | grep -v '^$' >"$T/paths"
version=$(dpkg-deb --field "$DEB" Version)
expected=(
    /usr/bin/heyo /usr/bin/heyo-edge /usr/bin/heyo-access
    /usr/share/applications/computer.heyo.Access.desktop
    /usr/share/metainfo/computer.heyo.Access.metainfo.xml
    /usr/share/icons/hicolor/scalable/apps/heyo-access.svg
    /usr/share/man/man1/heyo.1.gz /usr/share/man/man1/heyo-edge.1.gz /usr/share/man/man1/heyo-access.1.gz
    /usr/share/bash-completion/completions/heyo
    /usr/share/doc/heyo-access/copyright /usr/share/doc/heyo-access/changelog.Debian.gz
)
for t in heyo_browser_signin heyo_endpoint_browser; do
    if [[ " ${optional[*]} " == *" $t "* ]]; then expected+=("/usr/lib/heyo-access/lib$t.so"); fi
done
if [[ " ${optional[*]} " == *" heyo_icon_pngs "* ]]; then
    for s in 16 22 24 32 48 64 128 256; do expected+=("/usr/share/icons/hicolor/${s}x${s}/apps/heyo-access.png"); done
fi
missing=0
for p in "${expected[@]}"; do
    grep -qxF "$p" "$T/paths" || { fail "the package lacks $p"; missing=1; }
done
if [ "$missing" -eq 0 ]; then pass "the package holds the ${#expected[@]} expected files"; fi
bad_modes=$(awk '$2 ~ /^\/usr\/bin\/./ { if ($1 != "-rwxr-xr-x") print } \
                 $2 !~ /^\/usr\/bin\/./ && $1 ~ /^-/ { if ($1 != "-rw-r--r--") print } \
                 $1 ~ /^d/ { if ($1 != "drwxr-xr-x") print }' "$T/contents")
if [ -z "$bad_modes" ]; then pass "modes: 0755 programs and directories, 0644 data"; else fail "modes: $bad_modes"; fi
top_release=$(grep -o '<release version="[^"]*"' "$SRC/installer/computer.heyo.Access.metainfo.xml" | head -n1 |
    sed 's/.*="\(.*\)"/\1/')
if [ "${version%-*}" = "$top_release" ]; then
    pass "the metainfo's newest release is the package's version ($top_release)"
else
    fail "metainfo's newest release is '$top_release' but the package is $version"
fi

# --- Lint: lintian (errors fail; warnings are shown), then the desktop entry and metainfo as shipped.
echo "== lintian"
lintian --tag-display-limit 0 "$DEB" >"$T/lintian" 2>&1 || true
cat "$T/lintian"
if grep -q '^E:' "$T/lintian"; then fail "lintian reports errors"; else pass "lintian: no errors"; fi
mkdir "$T/root"
dpkg-deb -x "$DEB" "$T/root"
if desktop-file-validate "$T/root/usr/share/applications/computer.heyo.Access.desktop" >"$T/dfv" 2>&1 &&
    ! grep -q . "$T/dfv"; then
    pass "desktop-file-validate: clean"
else
    cat "$T/dfv"; fail "desktop-file-validate"
fi
if appstreamcli validate --no-net "$T/root/usr/share/metainfo/computer.heyo.Access.metainfo.xml" >"$T/asv" 2>&1; then
    pass "appstreamcli validate --no-net: $(tail -n1 "$T/asv")"
else
    cat "$T/asv"; fail "appstreamcli validate --no-net"
fi
before=$failures
for b in heyo heyo-edge heyo-access; do
    [ -f "$T/root/usr/bin/$b" ] || continue # reported missing above
    dyn=$(readelf -d "$T/root/usr/bin/$b") sections=$(readelf -S "$T/root/usr/bin/$b")
    if [[ $dyn == *RPATH* || $dyn == *RUNPATH* ]]; then fail "$b has an RPATH"; fi
    if [[ $sections == *.debug_* ]]; then fail "$b is not stripped"; fi
done
if [ "$failures" -eq "$before" ]; then pass "the programs have no RPATH and no debug sections"; fi

# --- Install. Remember which of the package's paths existed before, so that removal can be checked exactly.
echo "== dpkg -i"
while read -r p; do if [ -e "$p" ]; then echo "$p"; fi; done <"$T/paths" >"$T/existed-before"
touch "$MARK"
if ! dpkg -i "$DEB" >"$T/dpkg-i.log" 2>&1; then
    cat "$T/dpkg-i.log"
    installed=1 # a half-configured package is ours to remove
    die "dpkg -i failed (unmet dependencies? scripts/install-deps.sh installs them)"
fi
installed=1
pass "dpkg -i $(basename "$DEB")"
dpkg -L "$PKG" | grep -v '^/\.$' >"$T/dpkg-L"

# --- Run the installed programs, from /usr/bin, in a throwaway HOME.
mkdir -m700 "$T/home"
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config XDG_DATA_HOME=$T/home/.local/share XDG_CACHE_HOME=$T/home/.cache
if out=$(/usr/bin/heyo --version 2>&1) && [[ $out == "heyo ${version%-*}"* ]]; then
    pass "heyo --version: $out"
else
    fail "heyo --version printed '$out'"
fi
if out=$(/usr/bin/heyo-edge --help 2>&1) && [[ $out == "Usage: heyo-edge "* && $out == *"api-key revoke"* ]]; then
    pass "heyo-edge --help"
else
    fail "heyo-edge --help printed '$out'"
fi
if [ -f /usr/share/bash-completion/bash_completion ]; then
    words=$(bash -c 'source /usr/share/bash-completion/bash_completion
        __load_completion heyo || exit 1
        COMP_WORDS=(heyo api-key ""); COMP_CWORD=2; COMP_LINE="heyo api-key "; COMP_POINT=${#COMP_LINE}
        _heyo heyo "" api-key; echo "${COMPREPLY[*]}"' 2>&1) || true
    if [ "$words" = "create list revoke" ]; then
        pass "bash completion loads from its installed place and completes: $words"
    else
        fail "bash completion of 'heyo api-key ': '$words'"
    fi
fi
if [ -z "${DISPLAY:-}" ]; then
    fail "no X display (\$DISPLAY is empty): heyo-access cannot be started; run under xvfb-run (scripts/test.sh does)"
else
    /usr/bin/heyo-access >"$T/heyo-access.log" 2>&1 &
    app_pids+=($!)
    sleep 3
    if kill -0 "${app_pids[0]}" 2>/dev/null; then
        pass "heyo-access runs on $DISPLAY for 3 s"
        # Single instance: a second launch hands over to the first and exits.
        second_rc=0
        timeout 15 /usr/bin/heyo-access >"$T/heyo-access-2.log" 2>&1 || second_rc=$?
        if [ "$second_rc" -eq 0 ] && kill -0 "${app_pids[0]}" 2>/dev/null; then
            pass "a second heyo-access hands over to the running one and exits 0"
        else
            cat "$T/heyo-access-2.log"; fail "second heyo-access: exit $second_rc (124 = still running after 15 s)"
        fi
        kill "${app_pids[0]}" 2>/dev/null
        wait "${app_pids[0]}" 2>/dev/null || true
    else
        app_rc=0
        wait "${app_pids[0]}" || app_rc=$?
        cat "$T/heyo-access.log"; fail "heyo-access exited within 3 s (status $app_rc)"
    fi
    app_pids=()
fi

# --- Remove, then nothing of ours may be left: every path of `dpkg -L` that did not exist before the install.
echo "== dpkg -r"
if dpkg -r "$PKG" >"$T/dpkg-r.log" 2>&1; then pass "dpkg -r $PKG"; else cat "$T/dpkg-r.log"; fail "dpkg -r $PKG"; fi
left=()
while read -r p; do
    if grep -qxF "$p" "$T/existed-before"; then continue; fi
    if [ -e "$p" ] || [ -L "$p" ]; then left+=("$p"); fi
done <"$T/dpkg-L"
if [ ${#left[@]} -eq 0 ]; then
    pass "nothing of the package is left ($(wc -l <"$T/dpkg-L") paths checked)"
else
    fail "left after dpkg -r: ${left[*]}"
fi
status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$PKG" 2>/dev/null || true)
case "$status" in
    "" | un* | "rc "*) pass "dpkg no longer lists $PKG as installed" ;;
    *) fail "dpkg status after removal: '$status'" ;;
esac
dpkg --purge "$PKG" >/dev/null 2>&1 || true
installed=0

echo "package: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
