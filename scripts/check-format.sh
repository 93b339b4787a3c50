#!/usr/bin/env bash
# The format check: every C++ file of ours (not third_party/) must be as clang-format (.clang-format) writes it.
#   scripts/check-format.sh          # lists the files that differ and fails
#   scripts/check-format.sh --fix    # rewrites them in place
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || bash scripts/install-deps.sh
mapfile -t files < <(git ls-files '*.cpp' '*.h' | grep -v '^third_party/')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
# One clang-format run for all files; its diagnostics start with the file's name.
mapfile -t bad < <(clang-format --dry-run --Werror "${files[@]}" 2>&1 | grep -oE '^[^:]+\.(cpp|h):[0-9]+:[0-9]+: error' |
  cut -d: -f1 | sort -u)
if [ ${#bad[@]} -gt 0 ]; then
  printf 'check-format: not as clang-format writes it: %s\n' "${bad[@]}" >&2
  echo "check-format: ${#bad[@]} file(s); scripts/check-format.sh --fix rewrites them" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files formatted"
