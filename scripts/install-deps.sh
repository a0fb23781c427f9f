#!/usr/bin/env bash
# Installs the Debian 12 packages Rotor builds and tests with. Idempotent:
# installs only what is missing. Uses sudo when not run as root.
set -euo pipefail
"$(dirname "$0")/console-deps.sh"  # chromium and tests/console's npm packages

packages=(
  build-essential cmake ninja-build pkg-config
  librocksdb-dev libprotobuf-dev protobuf-compiler libspdlog-dev libfmt-dev
  librdkafka-dev libssl-dev openssl libgtest-dev libgmock-dev
  libcli11-dev libcpp-httplib-dev nlohmann-json3-dev libbenchmark-dev
  prometheus-cpp-dev libjemalloc-dev clang-format clang-tidy kcat
  clang-14 libclang-rt-14-dev llvm-14  # scripts/ci-clang.sh: sanitizers, libFuzzer, symbolizer
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
