#!/usr/bin/env bash
# Style checks, as CI runs them (scripts/test.sh):
#   - clang-format: every C++ file is formatted by .clang-format;
#   - clang-tidy: .clang-tidy's checks over the sources of base/, events/, model/,
#     projections/ and services/ (tests are left out: the gtest macros trip
#     checks meant for product code), with build/compile_commands.json.
# Needs a built build/ (scripts/build.sh): the generated protobuf headers.
# About 14 minutes on 2 cores; pass .cc files to tidy only those.
# Usage: scripts/lint.sh [FILE.cc ...]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

echo "== clang-format"
git ls-files -z '*.cc' '*.h' | xargs -0 clang-format --dry-run --Werror

if [ $# -gt 0 ]; then
  sources=("$@")
else
  mapfile -t sources < <(git ls-files 'base/*.cc' 'events/*.cc' 'model/*.cc' 'projections/*.cc' 'services/*.cc')
fi
echo "== clang-tidy (${#sources[@]} files)"
# run-clang-tidy takes regular expressions over the database's paths: anchor
# each file so that one name cannot match another.
patterns=()
for f in "${sources[@]}"; do
  f=${f#./}
  patterns+=("/${f//./\\.}\$")
done
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! run-clang-tidy -p build -j "$jobs" -quiet "${patterns[@]}" >"$log" 2>&1; then
  # Only the findings: the log also holds every file's "N warnings generated"
  # (warnings in system headers, filtered out by HeaderFilterRegex).
  sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E -A3 "(error|warning): " || cat "$log"
  echo "clang-tidy: findings above" >&2
  exit 1
fi
echo "clang-tidy: clean"
