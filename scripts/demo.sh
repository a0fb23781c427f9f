#!/usr/bin/env bash
# The README's first command: install what is missing, build, and run Rotor's
# main job on the embedded RocksDB store (no Kafka needed).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/bin/rotor-demo --data var/demo "$@"
