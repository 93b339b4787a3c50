#!/usr/bin/env bash
# The clang-tidy check: the checks of .clang-tidy over our sources (src/, app/, ui/), any finding an error. Needs a
# configured build directory (its compile_commands.json and generated headers): scripts/test.sh makes one.
#   scripts/check-tidy.sh [build directory, default build] [file regex, default all of ours]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${1:-$ROOT/build}
FILES=${2:-"^$ROOT/(src|app|ui)/.*\\.cpp\$"}
command -v run-clang-tidy >/dev/null || bash scripts/install-deps.sh
[ -f "$BUILD/compile_commands.json" ] || { echo "check-tidy: no $BUILD/compile_commands.json (build first)" >&2; exit 2; }
# -quiet prints only findings; run-clang-tidy fails when any file has one (WarningsAsErrors in .clang-tidy).
if run-clang-tidy -p "$BUILD" -quiet -j"$(nproc)" "$FILES" >"$BUILD/clang-tidy.log" 2>&1; then
  echo "check-tidy: $(grep -c '^clang-tidy' "$BUILD/clang-tidy.log" || true) files, no finding"
else
  grep -E 'error:|warning:' "$BUILD/clang-tidy.log" | grep -v 'warnings generated' | sort -u >&2 || true
  echo "check-tidy: findings above (full log: $BUILD/clang-tidy.log)" >&2
  exit 1
fi
