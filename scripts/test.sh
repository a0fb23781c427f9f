#!/usr/bin/env bash
# The README's second command (and CI's): install what is missing, build, run
# the whole test suite, then the Clang step (scripts/ci-clang.sh: the unit
# tests under AddressSanitizer and UndefinedBehaviorSanitizer, thread-safety
# analysis, the fuzz targets), then check the style (scripts/lint.sh:
# clang-format and clang-tidy).
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

# Clang: unit tests under ASan+UBSan, -Wthread-safety, the fuzz targets.
scripts/ci-clang.sh

echo "== style (scripts/lint.sh: clang-format, clang-tidy)"
scripts/lint.sh
echo "== all tests passed in $(( $(date +%s) - start ))s"
