#!/usr/bin/env bash
# Installs what the web console's browser tests (tests/console, ctest label
# "browser") need: Debian's chromium, Node.js with npm, and the pinned npm
# packages of tests/console/package-lock.json (playwright-core, axe-core).
# Idempotent; uses sudo for apt-get when not run as root. Called by
# scripts/install-deps.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi
# npm ci installs exactly the lockfile's versions (a few seconds).
(cd tests/console && npm ci --no-audit --no-fund --loglevel=error)
