#!/usr/bin/env bash
# Checks the package's data files as they are in the tree, without root and without building the package: desktop
# entry, AppStream metadata, man pages, bash completion, icons and heyo.qrc. The ctest `package_data` (label package);
# installer/test-package.sh checks the same files again inside the built .deb.
#   installer/lint-data.sh <build dir>
set -euo pipefail

BUILD=${1:?usage: installer/lint-data.sh <build dir>}
SRC=$(cd "$(dirname "$0")/.." && pwd)
failures=0
passes=0
pass() { passes=$((passes + 1)); echo "PASS: $*"; }
fail() { failures=$((failures + 1)); echo "FAIL: $*" >&2; }
for tool in desktop-file-validate appstreamcli groff rsvg-convert; do
    command -v "$tool" >/dev/null || { echo "lint-data: $tool is missing: run scripts/install-deps.sh" >&2; exit 1; }
done
T=$(mktemp -d /tmp/heyo-lint-data.XXXXXX)
trap 'rm -rf "$T"' EXIT

out=$(desktop-file-validate "$SRC/installer/computer.heyo.Access.desktop" 2>&1) && [ -z "$out" ] &&
    pass "desktop-file-validate: clean" || fail "desktop-file-validate: $out"
out=$(appstreamcli validate --no-net "$SRC/installer/computer.heyo.Access.metainfo.xml" 2>&1) &&
    pass "appstreamcli validate --no-net" || fail "appstreamcli: $out"

# Man pages as installed (versioned by configure_file in the build directory), with groff's warnings on.
for page in heyo heyo-edge heyo-access; do
    f=$BUILD/installer/man/$page.1
    if [ ! -f "$f" ]; then fail "$f is missing (configure the build first)"; continue; fi
    if grep -q '@PROJECT_VERSION@' "$f"; then fail "$page.1: version not substituted"; fi
    out=$(groff -man -ww -z "$f" 2>&1) && [ -z "$out" ] && pass "$page(1): groff -ww clean" || fail "$page(1): $out"
done
# Each of heyo's commands is documented and completed.
before=$failures
commands=$(sed -n 's/^local commands="\(.*\)"$/\1/p; s/^    local commands="\(.*\)"$/\1/p' "$SRC/installer/completions/heyo.bash")
for c in login logout whoami accounts token api-key git-credential list forward open; do
    [[ " $commands " == *" $c "* ]] || fail "the completion lacks the command $c"
    grep -q "^\.B $(sed 's/-/\\\\-/g' <<<"$c")\b" "$SRC/installer/man/heyo.1" || fail "heyo(1) does not document $c"
done
if [ "$failures" -eq "$before" ]; then pass "heyo(1) and the completion cover the commands: $commands"; fi

bash -n "$SRC/installer/completions/heyo.bash" && pass "completion: bash -n" || fail "completion: bash -n"
if [ -f /usr/share/bash-completion/bash_completion ]; then
    complete_line() {
        bash -c 'source /usr/share/bash-completion/bash_completion; source "$1"; shift
            COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
            _heyo heyo "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"; echo "${COMPREPLY[*]}"' \
            _ "$SRC/installer/completions/heyo.bash" "$@"
    }
    check() {
        local want=$1; shift
        local got; got=$(complete_line "$@")
        [ "$got" = "$want" ] && pass "complete '$*' → $got" || fail "complete '$*' gave '$got', want '$want'"
    }
    check "login logout" heyo lo
    check "api-key" heyo --service https://x ap
    check "get store erase" heyo git-credential ""
    check "text json" heyo list --format ""
    check "--keep-key" heyo login --ke
    check "--all --api-key-stdin --account" heyo logout --a
fi

# Icons: every file heyo.qrc lists exists and renders.
before=$failures
qrc_files=$(sed -n 's#.*<file[^>]*>\(.*\)</file>.*#\1#p' "$SRC/resources/heyo.qrc")
n=0
for f in $qrc_files; do
    n=$((n + 1))
    rsvg-convert -w 16 -h 16 -o "$T/icon.png" "$SRC/resources/$f" 2>"$T/err" || fail "$f does not render: $(cat "$T/err")"
done
for state in signed-out signed-in forwarding attention; do
    for v in light dark; do
        grep -q ">icons/tray/$state-$v.svg<" "$SRC/resources/heyo.qrc" || fail "heyo.qrc lacks tray/$state-$v.svg"
    done
done
if [ "$n" -lt 9 ]; then fail "heyo.qrc lists only $n icons"; fi
if [ "$failures" -eq "$before" ]; then pass "heyo.qrc: $n icons, all render"; fi

echo "package data: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
