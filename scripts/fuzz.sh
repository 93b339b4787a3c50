#!/usr/bin/env bash
# Builds the libFuzzer targets in a separate clang build directory and runs the HTTP parser fuzzer.
# Usage: scripts/fuzz.sh [seconds=60] [build-dir=<repo>/../build-fuzz]
# Exits non-zero when the fuzzer finds a crash, a sanitizer error or a broken invariant.
set -euo pipefail

SECONDS_TO_RUN="${1:-60}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${2:-${ROOT}/../build-fuzz}"

command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (scripts/install-deps.sh installs it)" >&2; exit 2; }

if [ ! -f "${BUILD}/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S "${ROOT}" -B "${BUILD}" -G Ninja -DHEYO_FUZZ=ON -DHEYO_BUILD_GUI=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
ninja -C "${BUILD}" fuzz_message_parser

WORK="${BUILD}/fuzz-work"
mkdir -p "${WORK}/corpus" "${WORK}/artifacts"
# The committed seeds stay read-only; new inputs go to the working corpus.
"${BUILD}/tests/fuzz/fuzz_message_parser" \
  -max_total_time="${SECONDS_TO_RUN}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="${WORK}/artifacts/" -dict="${ROOT}/tests/fuzz/http.dict" \
  "${WORK}/corpus" "${ROOT}/tests/fuzz/corpus"
echo "fuzz.sh: no crash in ${SECONDS_TO_RUN}s"
