#!/usr/bin/env bash
# Mutation check (docs/testing.md): proves that the tests fail when a
# guarantee is removed. It copies this tree (with uncommitted changes) to a
# work directory, builds the test binaries there once, checks that the
# relevant tests pass unmutated, then applies each mutation below alone,
# rebuilds (incrementally, through ccache), runs the tests that guard it,
# restores the file, and prints a table: mutation, tests that failed, caught.
# Exits 1 when a mutation survives (no test failed), does not apply to the
# current code, does not build, or when its tests fail unmutated.
#
# Usage: scripts/mutation-check.sh [name ...]   (default: every mutation)
# Environment: ROTOR_MUTATION_DIR (work directory, kept between runs so that
# a rerun rebuilds only what changed; default $TMPDIR/rotor-mutation).
# Too slow for every CI run (a first run builds five test binaries and
# rotord): run it before changing a guarantee's code and after.
set -euo pipefail
set -f  # no globbing: gtest filters hold "*"
src=$(cd "$(dirname "$0")/.." && pwd)
work=${ROTOR_MUTATION_DIR:-${TMPDIR:-/tmp}/rotor-mutation}
tree=$work/tree
build=$work/build
jobs=${ROTOR_MUTATION_JOBS:-2}
mkdir -p "$work"

# mutation <name> <file> <sed expression that must change the file> <tests>
# Tests: "binary:gtest-filter ..." ("*" runs the whole binary).
names=() files=() exprs=() guards=()
mutation() { names+=("$1"); files+=("$2"); exprs+=("$3"); guards+=("$4"); }
mutation appends-not-synced events/rocksdb_event_log.cc \
  's/wo.sync = options_.sync;/wo.sync = false;/' \
  'rotor_powerloss_test:EventLogPowerLoss*'
mutation acks-1 services/kafka/event_relay.cc \
  's/{"acks", "all"}/{"acks", "1"}/' \
  'rotor_kafka_test:RelayOptionsTest.*'
mutation projection-checkpoint-not-persisted projections/rocksdb_store.cc \
  '/b.batch_.Put(b.family_, rocksdb::Slice(kCheckpointKey.data(), kCheckpointKey.size()), cp);/d' \
  'rotor_powerloss_test:ProjectionPowerLoss* rotor_projections_test:ProjectionKillTest.*'
mutation route-handler-removed services/app/routes_agents.cc \
  's#^  r.Add("DELETE", "/v1/agents/{id}"#  if (false) r.Add("DELETE", "/v1/agents/{id}"#' \
  'rotor_services_test:EngineRoles*'
mutation verify-skips-hash-comparison events/verify.cc \
  's/HashCheck::kVerify/HashCheck::kSkip/' \
  'rotor_events_test:*'
mutation revoked-agent-counted-as-received events/progress_rule.cc \
  's/c.received = c.counted \&\& agent.holds_new;/c.received = c.counted \&\& (agent.holds_new || agent.revoked);/' \
  'rotor_rules_test:* rotor_domain_test:* rotor_projections_test:-ProjectionKillTest.*'
mutation report-deduplication-skipped services/domain/decide_reports.cc \
  '/^bool IsRepeat(const AgentReport& r, const AgentState& agent, const DomainState& state) {/a\  return false;  // mutation' \
  'rotor_domain_test:*'
mutation old-repeat-not-recognised-by-the-log services/domain/command_service.cc \
  's/\*repeat = read \&\& holder.stream_id == append.stream_id;/*repeat = false;/' \
  'rotor_domain_test:CommandServiceTest.*'
mutation kept-progress-not-updated services/domain/progress.cc \
  's/    rollout->counters.Add(after, +1);/    (void)after;/' \
  'rotor_progress_agreement_test:* rotor_domain_test:*'
mutation stale-flag-never-cleared-by-newer-report services/domain/decide_reports.cc \
  '/d.Add(AgentStaleCleared{r.agent_id, r.report_id, r.reported_at});/d' \
  'rotor_domain_test:* rotor_projections_test:-ProjectionKillTest.*'
mutation finalize-gate-ignores-stale-agents services/domain/decide_finalize.cc \
  's/if (p.Outstanding() > 0 && !c.force)/if (p.Outstanding() - p.stale_outstanding > 0 \&\& !c.force)/' \
  'rotor_domain_test:*'
mutation future-dated-report-accepted services/domain/decide_reports.cc \
  's/if (c.report.reported_at > c.now + c.max_clock_skew) return FutureReason(c);/if (false) return FutureReason(c);/' \
  'rotor_domain_test:* rotor_services_test:EngineSkew*'
pending=()
pending_note=""

wanted=("$@")
selected() {
  [[ ${#wanted[@]} -eq 0 ]] && return 0
  local w
  for w in "${wanted[@]}"; do [[ $w == "$1" ]] && return 0; done
  return 1
}

echo "== copying $src to $tree"
mkdir -p "$tree"
# tar keeps the files' times, so a rerun rebuilds only what changed.
(cd "$src" && git ls-files -z -co --exclude-standard |
  tar --null --ignore-failed-read -T - -cf -) | tar -xf - -C "$tree"
# A file mutated by an earlier run is older than its mutated object: rebuild it.
for f in "${files[@]}"; do touch "$tree/$f"; done

# ccache: paths under $work hash as relative ones, so another copy hits the cache.
export CCACHE_BASEDIR=$work CCACHE_NOHASHDIR=1
cmake -S "$tree" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
targets=$(printf '%s\n' "${guards[@]}" | tr ' ' '\n' | cut -d: -f1 | sort -u)

log=$work/log
mkdir -p "$log"

# build [targets]: builds the test binaries (default: all); returns ninja's status.
build() { ninja -C "$build" -j"$jobs" ${1:-$targets} >"$log/build.txt" 2>&1; }

# binaries "<binary:filter> ...": the binaries these tests run.
binaries() { echo "$1" | tr ' ' '\n' | cut -d: -f1 | sort -u | tr '\n' ' '; }

# run_tests "<binary:filter> ...": runs them; prints the failed tests (one line, comma-separated).
run_tests() {
  local failed="" spec bin filter out
  for spec in $1; do
    bin=${spec%%:*}
    filter=${spec#*:}
    out=$log/$bin.txt
    "$build/bin/$bin" --gtest_filter="$filter" >"$out" 2>&1 || true
    failed+=$(grep -E '^\[  FAILED  \] [A-Za-z0-9_/.]+' "$out" | grep -v ' listed below' |
      awk '{print $4}' | sort -u | tr '\n' ' ')
    if ! grep -q '^\[  PASSED  \]\|^\[  FAILED  \]' "$out"; then failed+="$bin(crashed) "; fi
  done
  echo "$failed" | xargs -n1 2>/dev/null | sort -u | paste -sd, -
}

echo "== building $targets" | tr '\n' ' '
echo
build || { tail -30 "$log/build.txt"; echo "the unmutated tree does not build"; exit 2; }

echo "== unmutated: the guarding tests must pass"
all_tests=$(printf '%s\n' "${guards[@]}" | tr ' ' '\n' | sort -u | tr '\n' ' ')
declare -A base_failed
status=0
for spec in $all_tests; do
  base_failed[$spec]=$(run_tests "$spec")
  if [[ -n ${base_failed[$spec]} ]]; then
    echo "   $spec fails without a mutation: ${base_failed[$spec]}"
    status=2
  fi
done

rows=()
survived=$(( status != 0 ))
for i in "${!names[@]}"; do
  name=${names[$i]} file=${files[$i]} expr=${exprs[$i]} tests=${guards[$i]}
  selected "$name" || continue
  echo "== mutation $name ($file)"
  broken=""
  for spec in $tests; do broken+=${base_failed[$spec]}; done
  if [[ -n $broken ]]; then
    rows+=("$name|$file|(its tests fail unmutated: $broken)|NO")
    echo "   ${rows[-1]}"
    continue
  fi
  cp "$tree/$file" "$work/original"
  sed -i -e "$expr" "$tree/$file"
  if cmp -s "$tree/$file" "$work/original"; then
    rows+=("$name|$file|(the mutation does not apply to this code)|NO")
    echo "   ${rows[-1]}"
    survived=1
    continue
  fi
  if ! build "$(binaries "$tests")"; then
    tail -20 "$log/build.txt"
    rows+=("$name|$file|(the mutated tree does not build)|NO")
    survived=1
  else
    failed=$(run_tests "$tests")
    if [[ -n $failed ]]; then
      rows+=("$name|$file|$failed|yes")
    else
      rows+=("$name|$file|(none)|NO")
      survived=1
    fi
  fi
  echo "   ${rows[-1]}"
  cp -p "$work/original" "$tree/$file"
  touch "$tree/$file"
done
for name in "${pending[@]}"; do
  selected "$name" || continue
  rows+=("$name|-|$pending_note|pending")
done

echo
echo "| mutation | file | tests that failed | caught |"
echo "|---|---|---|---|"
for r in "${rows[@]}"; do
  IFS='|' read -r name file failed caught <<<"$r"
  echo "| $name | $file | $failed | $caught |"
done
exit "$survived"
