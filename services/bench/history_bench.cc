// `rotor-bench history`: as-of queries that start from projection snapshots
// against a fold from sequence 1, and Merkle proofs at two tree sizes.
//
// Phases, on a fresh RocksDB log in a scratch directory:
//   1. build: a replacement, then `--agents` agents (default 1,000,000) each
//      reporting every 8 hours of log time (three times a day) until the log
//      holds at least `--events` (default 10,000,000); agent i holds the new
//      certificate from a round of its own on, so progress grows day by day.
//   2. tree: the Merkle tree catches up with the log (MerkleStore, as
//      rotord's notary keeps it).
//   3. projections: the fleet and audit runners follow the log into a RocksDB
//      projection store, taking a snapshot every `--snapshot-every-events`
//      (250,000 here, 1/40 of the log; rotord's flag, whose default is
//      1,000,000) and thinning them as rotord does.
//   4. full fold: every read model from sequence 1 to the head (ComputeAsOf).
//   5. as-of: `--points` (20) random moments (the recorded_at of a random
//      event), each computed from the snapshots; the first is checked
//      against a fold from sequence 1.
//   6. proofs: inclusion and consistency proofs, averaged over `--proofs`
//      random leaves, against the whole tree and one of 1/100 its size.
//
// `--keep` leaves the scratch directory in place; `--data DIR` measures such
// a directory again (phases 1 to 3 then find nothing to do), so a change to
// the as-of or proof path can be measured without building the log again.
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <memory>
#include <random>

#include "events/merkle_store.h"
#include "events/rocksdb_event_log.h"
#include "projections/fold.h"
#include "projections/rocksdb_store.h"
#include "projections/runner.h"
#include "services/bench/bench.h"
#include "services/bench/bench_util.h"
#include "services/bench/fleet_workload.h"

namespace rotor::bench {
namespace {

using projections::ComputeAsOf;
using projections::FoldLimit;
using projections::ReadModels;

struct HistoryOptions {
  uint64_t agents = 1000000;
  uint64_t events = 10000000;
  uint64_t snapshot_every = 250000;
  int points = 20;
  int proofs = 2000;
  uint64_t seed = 1;
  std::string dir;
  std::string data;  // an existing directory left by --keep
  bool keep = false;
  bool json = false;
};

constexpr double kAsOfTarget = 0.1;  // as_of_max_ms at most this x full_fold_ms
constexpr uint64_t kRoundMs = uint64_t{8} * 3600 * 1000;

struct Figures {
  uint64_t events = 0, rounds = 0, snapshots = 0, snapshot_bytes = 0;
  double build_s = 0, tree_s = 0, project_s = 0, full_fold_ms = 0;
  std::vector<double> as_of_ms;
  double as_of_events = 0;      // events folded per as-of query, on average
  double snapshot_load_ms = 0;  // as of the newest snapshot's sequence
  uint64_t small_size = 0;
  double inclusion_us = 0, consistency_us = 0, inclusion_small_us = 0, consistency_small_us = 0;
  // The same in CPU time of the measuring thread.
  double inclusion_cpu_us = 0, consistency_cpu_us = 0, inclusion_small_cpu_us = 0,
         consistency_small_cpu_us = 0;
};

// Wall and thread-CPU microseconds of one proof of each kind.
struct ProofCost {
  double inclusion_us = 0, consistency_us = 0, inclusion_cpu_us = 0, consistency_cpu_us = 0;
};

// Phase 1. Agent i holds the new certificate from round 1 + (i * 7919) %
// (rounds - 1) on.
Result<uint64_t> BuildHistory(EventLog& log, const HistoryOptions& o, uint64_t* rounds) {
  *rounds = std::max<uint64_t>(1, (o.events + o.agents - 4) / o.agents);
  ChunkedAppender out(log);
  ROTOR_RETURN_IF_ERROR(AppendFleetStart(out));
  for (uint64_t round = 0; round < *rounds; ++round) {
    for (uint64_t i = 0; i < o.agents; ++i) {
      uint64_t from = 1 + (i * 7919) % std::max<uint64_t>(1, *rounds - 1);
      Time at = FleetTime(round * kRoundMs + i * kRoundMs / o.agents);
      ROTOR_RETURN_IF_ERROR(out.Add(FleetReport(i, at, round >= from, round), at, "agent"));
    }
  }
  ROTOR_RETURN_IF_ERROR(out.Flush());
  return log.Head();
}

// Phase 3: returns the store the runners filled.
Result<std::unique_ptr<projections::RocksDbProjectionStore>> Project(const EventLog& log,
                                                                     const HistoryOptions& o,
                                                                     const TempDir& dir,
                                                                     Figures* f) {
  Result<std::unique_ptr<projections::RocksDbProjectionStore>> store =
      projections::RocksDbProjectionStore::Open(dir.Sub("projections"), {.sync = false});
  if (!store.ok()) return store.status();
  Stopwatch clock;
  projections::RunnerOptions options{.snapshot_every_events = o.snapshot_every};
  {
    projections::FleetProjection fleet;
    projections::ProjectionRunner runner(log, **store, fleet, options);
    ROTOR_RETURN_IF_ERROR(runner.CatchUp());
  }
  {
    projections::AuditProjection audit;
    projections::ProjectionRunner runner(log, **store, audit, options);
    ROTOR_RETURN_IF_ERROR(runner.CatchUp());
  }
  f->project_s = clock.Seconds();
  for (const char* name : {"fleet", "audit"}) {
    Result<std::vector<uint64_t>> kept = (*store)->ListSnapshots(name);
    if (!kept.ok()) return kept.status();
    f->snapshots += kept->size();
    if (kept->empty()) continue;
    Result<std::string> newest = (*store)->ReadSnapshot(name, kept->back());
    if (!newest.ok()) return newest.status();
    f->snapshot_bytes += newest->size();
  }
  return store;
}

// Phases 4 and 5.
Status FoldAndAsOf(const EventLog& log, const projections::ProjectionStore& store,
                   const HistoryOptions& o, Figures* f) {
  Stopwatch clock;
  Result<std::unique_ptr<ReadModels>> full = ComputeAsOf(log, FoldLimit::Head());
  ROTOR_RETURN_IF_ERROR(full.status());
  f->full_fold_ms = clock.Seconds() * 1e3;
  full->reset();
  std::mt19937_64 rng(o.seed);
  uint64_t folded = 0;
  for (int p = 0; p < o.points; ++p) {
    RecordedEvent at;
    ROTOR_RETURN_IF_ERROR(log.ReadOne(1 + rng() % log.Head(), &at));
    FoldLimit limit = FoldLimit::AtTime(at.recorded_at);
    Stopwatch one;
    Result<std::unique_ptr<ReadModels>> then = ComputeAsOf(log, limit, {}, &store);
    ROTOR_RETURN_IF_ERROR(then.status());
    f->as_of_ms.push_back(one.Seconds() * 1e3);
    folded += (*then)->folded.events;
    if (p > 0) continue;
    Result<std::unique_ptr<ReadModels>> zero = ComputeAsOf(log, limit);
    ROTOR_RETURN_IF_ERROR(zero.status());
    if ((*zero)->folded.last != (*then)->folded.last ||
        (*zero)->fleet.Progress(kRollout)->summary != (*then)->fleet.Progress(kRollout)->summary) {
      return Status::Internal("as-of from the snapshots differs from the fold from sequence 1");
    }
  }
  f->as_of_events = static_cast<double>(folded) / std::max(1, o.points);
  // The cost of starting from a snapshot alone: as of the newest one.
  Result<std::vector<uint64_t>> kept = store.ListSnapshots("fleet");
  ROTOR_RETURN_IF_ERROR(kept.status());
  if (kept->empty()) return Status::Ok();
  Stopwatch load;
  Result<std::unique_ptr<ReadModels>> at =
      ComputeAsOf(log, FoldLimit::AtSequence(kept->back()), {}, &store);
  ROTOR_RETURN_IF_ERROR(at.status());
  f->snapshot_load_ms = load.Seconds() * 1e3;
  return Status::Ok();
}

// Phase 6 at one tree size: average microseconds of an inclusion and of a
// consistency proof; one of each is verified.
Status Proofs(const MerkleStore& tree, uint64_t size, int n, std::mt19937_64& rng,
              ProofCost* cost) {
  Result<Sha256Digest> root = tree.Root(size);
  ROTOR_RETURN_IF_ERROR(root.status());
  Stopwatch clock;
  uint64_t index = 0;
  Result<std::vector<Sha256Digest>> path = Status::Internal("no proof");
  for (int i = 0; i < n; ++i) {
    index = rng() % size;
    path = tree.InclusionProof(index, size);
    ROTOR_RETURN_IF_ERROR(path.status());
  }
  cost->inclusion_us = clock.Seconds() * 1e6 / n;
  cost->inclusion_cpu_us = clock.ThreadCpuSeconds() * 1e6 / n;
  std::vector<Sha256Digest> leaf;
  ROTOR_RETURN_IF_ERROR(tree.Reader()(0, index, 1, &leaf));
  ROTOR_RETURN_IF_ERROR(merkle::VerifyInclusion(leaf[0], index, size, *path, *root));
  Stopwatch consistency_clock;
  uint64_t old_size = 1;
  for (int i = 0; i < n; ++i) {
    old_size = 1 + rng() % size;
    path = tree.ConsistencyProof(old_size, size);
    ROTOR_RETURN_IF_ERROR(path.status());
  }
  cost->consistency_us = consistency_clock.Seconds() * 1e6 / n;
  cost->consistency_cpu_us = consistency_clock.ThreadCpuSeconds() * 1e6 / n;
  Result<Sha256Digest> old_root = tree.Root(old_size);
  ROTOR_RETURN_IF_ERROR(old_root.status());
  return merkle::VerifyConsistency(old_size, size, *old_root, *root, *path);
}

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(std::lround(q * static_cast<double>(v.size() - 1)))];
}

void Print(const HistoryOptions& o, const Figures& f) {
  double p50 = Percentile(f.as_of_ms, 0.5), max = Percentile(f.as_of_ms, 1.0);
  double ratio = f.full_fold_ms > 0 ? max / f.full_fold_ms : 0;
  bool met = ratio <= kAsOfTarget;
  if (!o.json) {
    fmt::print("rotor-bench history: {} agents, {} events ({} rounds; built in {:.1f} s)\n",
               o.agents, f.events, f.rounds, f.build_s);
    fmt::print("  full fold          {:>10.1f} ms\n", f.full_fold_ms);
    fmt::print(
        "  as-of, {} points   p50 {:.1f} ms, max {:.1f} ms = {:.3f}x full (target <= {:.1f}x)\n",
        f.as_of_ms.size(), p50, max, ratio, kAsOfTarget);
    fmt::print("  snapshots          {} kept, newest {} bytes (every {} events)\n", f.snapshots,
               f.snapshot_bytes, o.snapshot_every);
    fmt::print("  inclusion proof    {:.1f} us at {}, {:.1f} us at {}\n", f.inclusion_us, f.events,
               f.inclusion_small_us, f.small_size);
    fmt::print("  consistency proof  {:.1f} us at {}, {:.1f} us at {} — targets {}\n",
               f.consistency_us, f.events, f.consistency_small_us, f.small_size,
               met ? "met" : "MISSED");
    return;
  }
  JsonObject targets;
  targets.Add("as_of_max_vs_full_fold", kAsOfTarget);
  JsonObject j;
  j.Add("agents", o.agents)
      .Add("events", f.events)
      .Add("rounds", f.rounds)
      .Add("log_build_s", f.build_s)
      .Add("tree_build_s", f.tree_s)
      .Add("project_with_snapshots_s", f.project_s)
      .Add("snapshot_every_events", o.snapshot_every)
      .Add("snapshots_kept", f.snapshots)
      .Add("snapshot_bytes", f.snapshot_bytes)
      .Add("full_fold_ms", f.full_fold_ms)
      .Add("as_of_points", static_cast<uint64_t>(f.as_of_ms.size()))
      .Add("as_of_p50_ms", p50)
      .Add("as_of_max_ms", max)
      .Add("as_of_max_vs_full_fold", ratio)
      .Add("as_of_events_folded_avg", f.as_of_events)
      .Add("snapshot_load_ms", f.snapshot_load_ms)
      .Add("inclusion_proof_us", f.inclusion_us)
      .Add("consistency_proof_us", f.consistency_us)
      .Add("small_tree_size", f.small_size)
      .Add("inclusion_proof_us_small_tree", f.inclusion_small_us)
      .Add("consistency_proof_us_small_tree", f.consistency_small_us)
      .Add("inclusion_proof_cpu_us", f.inclusion_cpu_us)
      .Add("consistency_proof_cpu_us", f.consistency_cpu_us)
      .Add("inclusion_proof_cpu_us_small_tree", f.inclusion_small_cpu_us)
      .Add("consistency_proof_cpu_us_small_tree", f.consistency_small_cpu_us)
      .AddObject("targets", targets)
      .Add("targets_met", met);
  fmt::print("{}\n", j.ToString());
}

Status Run(const HistoryOptions& o, const TempDir& dir, Figures* f) {
  Result<std::unique_ptr<RocksDbEventLog>> log =
      RocksDbEventLog::Open(dir.Sub("log"), {.sync = false});
  ROTOR_RETURN_IF_ERROR(log.status());
  Stopwatch build;
  if (o.data.empty()) {
    Result<uint64_t> events = BuildHistory(**log, o, &f->rounds);
    ROTOR_RETURN_IF_ERROR(events.status());
  }
  f->events = (*log)->Head();
  f->build_s = build.Seconds();
  spdlog::info("log: {} events in {:.1f} s", f->events, f->build_s);

  Result<std::unique_ptr<MerkleStore>> tree = MerkleStore::Open(dir.Sub("merkle"));
  ROTOR_RETURN_IF_ERROR(tree.status());
  Stopwatch tree_clock;
  ROTOR_RETURN_IF_ERROR((*tree)->CatchUp(**log).status());
  f->tree_s = tree_clock.Seconds();

  auto store = Project(**log, o, dir, f);
  ROTOR_RETURN_IF_ERROR(store.status());
  spdlog::info("projections with {} snapshots in {:.1f} s", f->snapshots, f->project_s);
  ROTOR_RETURN_IF_ERROR(FoldAndAsOf(**log, **store, o, f));

  std::mt19937_64 rng(o.seed + 1);
  f->small_size = std::max<uint64_t>(1, f->events / 100);
  ProofCost large, small;
  ROTOR_RETURN_IF_ERROR(Proofs(**tree, f->events, o.proofs, rng, &large));
  ROTOR_RETURN_IF_ERROR(Proofs(**tree, f->small_size, o.proofs, rng, &small));
  f->inclusion_us = large.inclusion_us;
  f->consistency_us = large.consistency_us;
  f->inclusion_cpu_us = large.inclusion_cpu_us;
  f->consistency_cpu_us = large.consistency_cpu_us;
  f->inclusion_small_us = small.inclusion_us;
  f->consistency_small_us = small.consistency_us;
  f->inclusion_small_cpu_us = small.inclusion_cpu_us;
  f->consistency_small_cpu_us = small.consistency_cpu_us;
  return Status::Ok();
}

int RunHistoryBench(const HistoryOptions& o) {
  Result<std::unique_ptr<TempDir>> dir =
      o.data.empty() ? TempDir::Create(o.dir) : TempDir::Existing(o.data);
  if (!dir.ok()) {
    spdlog::error("{}", dir.status().ToString());
    return 1;
  }
  if (o.keep || !o.data.empty()) (*dir)->Keep();
  spdlog::info("rotor-bench history: data in {}{}", (*dir)->path(), o.keep ? " (kept)" : "");
  Figures f;
  Status s = Run(o, **dir, &f);
  if (!s.ok()) {
    spdlog::error("rotor-bench history: {}", s.ToString());
    return 1;
  }
  Print(o, f);
  return 0;
}

}  // namespace

Runner AddHistoryBench(CLI::App* command) {
  auto o = std::make_shared<HistoryOptions>();
  command->add_option("--agents", o->agents, "agents in the fleet")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--events", o->events, "events in the log at least (whole rounds)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command
      ->add_option("--snapshot-every-events", o->snapshot_every,
                   "projection snapshot interval (rotord's flag)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--points", o->points, "as-of queries at random moments")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--proofs", o->proofs, "proofs of each kind to average, per tree size")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--seed", o->seed, "random seed of the points and proofs")
      ->capture_default_str();
  command->add_option("--dir", o->dir, "parent of the scratch directory (default $TMPDIR or /tmp)");
  command->add_flag("--keep", o->keep, "leave the scratch directory in place");
  command->add_option("--data", o->data, "measure a directory left by --keep again")
      ->check(CLI::ExistingDirectory);
  command->add_flag("--json", o->json, "print one JSON object");
  return [o] { return RunHistoryBench(*o); };
}

}  // namespace rotor::bench
