#!/usr/bin/env bash
# Configures and builds Rotor into build/ (binaries in build/bin/).
# Usage: scripts/build.sh [extra cmake -D options]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DROTOR_UNIT_TESTS_ONLY=OFF "$@" >/dev/null
ninja -C build -j"$jobs"
