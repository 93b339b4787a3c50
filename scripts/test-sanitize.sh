#!/usr/bin/env bash
# The sanitizer lane: builds build-asan with AddressSanitizer + UBSan (leak checking on, GUI off) and runs the unit and
# integration labels through scripts/test.sh; fails on a failed test or on any sanitizer report of any process.
#   scripts/test-sanitize.sh [more ctest arguments, e.g. -R tst_cli]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${HEYO_ASAN_BUILD_DIR:-$ROOT/build-asan}

# GUI off: the lane runs no gui label (and builds no WebEngine).
ARGS="-DHEYO_SANITIZE=address,undefined -DHEYO_BUILD_GUI=OFF" # scripts/test.sh adds ccache where there is one

# Each process writes its report to a file of its own: a server or a CLI started by a test may report while the test
# only sees it stop, so the reports are collected here rather than trusted to every exit code (a process out of
# descriptors cannot open its file: it dies with exit code 1 and its report is lost). The other options
# (leak checking, halting on UB, the suppressions) come from ctest (tests/CMakeLists.txt), so a plain ctest in
# build-asan uses them too.
REPORTS=$BUILD/sanitizer-reports
rm -rf "$REPORTS"
mkdir -p "$REPORTS"
export ASAN_OPTIONS="log_path=$REPORTS/asan:log_exe_name=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="log_path=$REPORTS/ubsan:log_exe_name=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

rc=0
HEYO_BUILD_DIR=$BUILD HEYO_CMAKE_ARGS=$ARGS bash scripts/test.sh -L 'unit|integration' "$@" || rc=$?

shopt -s nullglob
reports=("$REPORTS"/*)
if [ ${#reports[@]} -gt 0 ]; then
  for f in "${reports[@]}"; do
    echo "=== sanitizer report: $(basename "$f")"
    cat "$f"
  done
  echo "test-sanitize: ${#reports[@]} sanitizer report(s), above" >&2
  [ "$rc" -ne 0 ] || rc=1
else
  echo "test-sanitize: no sanitizer report"
fi
exit $rc
