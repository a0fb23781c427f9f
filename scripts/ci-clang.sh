#!/usr/bin/env bash
# CI's Clang step (called by scripts/test.sh; docs/fuzzing.md). One build with
# clang++-14 and the default generator (Unix Makefiles, so that CI also proves
# the ordinary `cmake --build` works), AddressSanitizer + UndefinedBehavior-
# Sanitizer and -Wthread-safety -Werror, of the libraries, the unit tests and
# the libFuzzer targets of tests/fuzz. Then:
#   1. the unit tests (label "unit"), as the GCC sanitizer step did;
#   2. every fuzz target for ROTOR_FUZZ_SECONDS (default 45) over its seed
#      corpus, two at a time; prints each target's executions and crashes.
# Any failure, sanitizer finding or fuzz crash fails the step; a crash's input
# is kept under build-clang/fuzz/<target>/. About 14 minutes on 2 cores.
# Usage: scripts/ci-clang.sh [TARGET ...]   (default: every fuzz target)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
seconds=${ROTOR_FUZZ_SECONDS:-45}
build=build-clang
start=$(date +%s)

echo "== Clang build (Unix Makefiles): ASan+UBSan, -Wthread-safety, unit tests and fuzz targets"
cmake -S . -B "$build" -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS=-O1 \
  -DCMAKE_CXX_COMPILER=clang++-14 -DROTOR_SANITIZE=ON -DROTOR_UNIT_TESTS_ONLY=ON \
  -DROTOR_FUZZ=ON >/dev/null
cmake --build "$build" -j"$jobs" -- --no-print-directory
echo "   built in $(( $(date +%s) - start ))s"

export ASAN_SYMBOLIZER_PATH=/usr/bin/llvm-symbolizer-14
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

echo "== unit tests (Clang, ASan+UBSan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  ctest --test-dir "$build" --output-on-failure -j"$jobs" -L unit --timeout 900

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(find "$build/bin" -name 'fuzz_*' -printf '%f\n' | sed 's/^fuzz_//' | sort)
fi
for t in "${targets[@]}"; do
  if [ ! -d "tests/fuzz/corpus/$t" ]; then
    echo "fuzz target $t has no seed corpus: add tests/fuzz/corpus/$t/ (docs/fuzzing.md)" >&2
    exit 1
  fi
done
echo "== fuzz: ${#targets[@]} targets, ${seconds}s each, two at a time"
# Runs one target; its log and any crash input go to $build/fuzz/<target>/.
fuzz_one() {
  local t=$1 dir="$build/fuzz/$1"
  rm -rf "$dir" && mkdir -p "$dir/corpus"
  # New inputs go to the first directory; the committed seeds stay as they are.
  ASAN_OPTIONS=detect_leaks=1 "$build/bin/fuzz_$t" -max_total_time="$seconds" -timeout=30 \
    -rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix="$dir/" \
    "$dir/corpus" "tests/fuzz/corpus/$t" >"$dir/log" 2>&1
}
export -f fuzz_one
export build seconds
printf '%s\n' "${targets[@]}" | xargs -P 2 -I{} bash -c 'fuzz_one {} || true'

failed=0
printf '%-18s %12s %10s %8s\n' target executions exec/s crashes
for t in "${targets[@]}"; do
  log="$build/fuzz/$t/log"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  crashes=$(find "$build/fuzz/$t" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
    -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  printf '%-18s %12s %10s %8s\n' "$t" "${runs:-?}" "${rate:-?}" "$crashes"
  if [ "$crashes" -gt 0 ] || [ -z "$runs" ]; then
    failed=1
    echo "--- $t: last lines of $log" >&2
    tail -40 "$log" >&2
  fi
done
echo "== Clang step done in $(( $(date +%s) - start ))s"
exit "$failed"
