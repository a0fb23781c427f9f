#!/usr/bin/env bash
# The README's second command (and CI's): install what is missing, build, run
# the whole test suite, then build the unit tests with AddressSanitizer and
# UndefinedBehaviorSanitizer and run them, then check the style
# (scripts/lint.sh: clang-format and clang-tidy).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
start=$(date +%s)

scripts/install-deps.sh
scripts/build.sh
# The Kafka tests (label "kafka") each start a broker with docker/kafka/kafka.sh;
# install Java, Maven and the broker's jars once, before they run in parallel.
echo "== Kafka broker (docker/kafka/kafka.sh install)"
docker/kafka/kafka.sh install

echo "== tests"
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 600

echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS=-O1 \
  -DROTOR_SANITIZE=ON -DROTOR_UNIT_TESTS_ONLY=ON >/dev/null
ninja -C build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs" -L unit --timeout 900

echo "== style (scripts/lint.sh: clang-format, clang-tidy)"
scripts/lint.sh
echo "== all tests passed in $(( $(date +%s) - start ))s"
