#!/usr/bin/env bash
# The README's first command: install what is missing, build, then run
# Rotor's main job on the embedded RocksDB store (no Kafka needed): start
# rotord on var/demo with a virtual clock, drive the article's certificate
# replacement through its API with rotor-sim (progress per simulated day),
# print the final `rotorctl status`, and leave rotord running so that you can
# use rotorctl and the API. Extra arguments go to rotor-sim, e.g.
#   scripts/demo.sh --scenario all --seed 7
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh

bin=build/bin
data=var/demo
pid_file=var/rotord.pid
url_file=var/rotord.url
tokens=var/tokens
log=var/rotord.log
mkdir -p var

# A rotord left running by an earlier demo holds var/demo: stop it first.
if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
  old=$(cat "$pid_file")
  echo "stopping the rotord of an earlier demo (pid $old)"
  kill "$old"
  for _ in $(seq 1 300); do kill -0 "$old" 2>/dev/null || break; sleep 0.1; done
fi
rm -rf "$data" "$url_file" "$pid_file"

# Bearer tokens (docs/api.md): the tokens file holds only their SHA-256
# digests (docs/operations.md, "Tokens"); each secret is kept in
# var/token-<role> (mode 600). Made once; a tokens file from an older demo
# (plaintext tokens) is made again.
if [ ! -s "$tokens" ] || [ ! -s var/token-admin ] || grep -qv '^sha256:' "$tokens"; then
  rm -f "$tokens" var/token-*
  (
    umask 077
    for role in admin operator auditor ingest; do
      "$bin/rotorctl" token create --name "demo-$role" --role "$role" --tokens-file "$tokens" \
        >"var/token-$role" 2>/dev/null
    done
  )
fi
token=$(cat var/token-admin)

echo "== starting rotord on $data (embedded RocksDB, virtual clock)"
nohup "$bin/rotord" --data "$data" --listen 127.0.0.1:0 --port-file "$url_file" \
  --tokens "$tokens" --virtual-clock >"$log" 2>&1 &
pid=$!
echo "$pid" >"$pid_file"
for _ in $(seq 1 600); do
  [ -s "$url_file" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "rotord failed to start:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.1
done
if [ ! -s "$url_file" ]; then
  echo "rotord did not write $url_file within a minute; see $log" >&2
  exit 1
fi
url=$(cat "$url_file")
echo "rotord (pid $pid) is listening on $url"

echo
echo "== rotor-sim: the article's fleet, a replacement driven through the API"
"$bin/rotor-sim" --server "$url" --token "$token" "$@"

rotorctl=("$bin/rotorctl" --server "$url" --token "$token")
echo
echo "== rotorctl status"
"${rotorctl[@]}" status
first=$("${rotorctl[@]}" --json rollouts | sed -n 's/.*"rollout_id": "\([^"]*\)".*/\1/p' | head -n 1)
as_of=2026-11-03T00:00:00Z
if [ -n "$first" ]; then
  echo
  echo "== rotorctl status $first"
  "${rotorctl[@]}" status "$first"
  # Two days into the rollout, for the replay example below.
  initiated=$("${rotorctl[@]}" --json status "$first" |
    sed -n 's/.*"initiated_at": "\([^"]*\)".*/\1/p' | head -n 1)
  as_of=$(date -u -d "$initiated + 2 days" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || echo "$as_of")
fi

cat <<USAGE

rotord is still running (pid $pid) on $url with its data in $data.

Web console (docs/console.md): open $url/ in a browser and sign in with the
bearer token $token (admin; the operator's and auditor's are in var/token-operator and var/token-auditor).

Use it with rotorctl or the HTTP API (docs/cli.md, docs/api.md):

  export ROTOR_SERVER=$url ROTOR_TOKEN=$token
  $bin/rotorctl status ${first:-}
  $bin/rotorctl timeline ${first:-ROLLOUT}
  $bin/rotorctl stale
  $bin/rotorctl verify
  $bin/rotorctl replay --as-of $as_of       # what the dashboard showed then
  $bin/rotorctl status --follow        # live progress while you drive it
  curl -s -H "Authorization: Bearer \$ROTOR_TOKEN" \$ROTOR_SERVER/v1/rollouts

Other tokens (operator, auditor, ingest) are in var/token-<role>; $tokens holds
their digests (add more with rotorctl token create, then kill -HUP the pid).
rotord's log is $log.
Stop it with:  kill \$(cat $pid_file)
Afterwards the same commands work on the directory itself:  $bin/rotorctl --data $data status
USAGE
