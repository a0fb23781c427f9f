// `rotor-bench log`: RocksDbEventLog against raw RocksDB on the same bytes.
//
// Phases, each pair on fresh databases in one scratch directory:
//   1. durable batch append: `--events` events in appends of `--batch`, one
//      synced write per append; raw writes the same keys and stored values
//      (sealed beforehand, checked byte for byte afterwards) in one synced
//      WriteBatch per batch.
//   1b. the same appends on a fresh log with the Merkle tree kept as rotord
//      keeps it (a Notary thread following the log into a MerkleStore),
//      timed until the tree holds every record: append_with_tree_per_s.
//   2. full read: EventLog::ForEach decodes every record into a RecordedEvent;
//      raw iterates the same bytes and touches each key and value. Best of
//      `--read-passes` for each side, the sides alternating.
//   3. concurrent appends: `--threads` threads each make `--per-thread`
//      single-event appends to their own stream; raw makes one synced Put of
//      the same stored bytes per event. Best of `--rounds`, sides alternating.
//      Each round first times `--fsyncs` appending writes of one stored
//      record's size + fdatasync on the scratch directory: the disk's floor.
//      fsync_floor_per_s = threads / (median time of one), i.e. every sync
//      carrying one append of each thread; the best round's floor counts.
//      Then the same threads and appends through the log's GroupCommit
//      queue with nothing but an appending write + fdatasync per group:
//      group_commit_floor_per_s, what any group commit of these threads
//      reaches here (wake-ups included, no sealing, no RocksDB).
// The raw side uses RocksDB's default options (plus create_if_missing).
// Rates are wall-clock; the calling thread's CPU time is reported alongside
// because a shared machine's load moves wall-clock figures.
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>

#include "events/merkle_store.h"
#include "events/rocksdb_event_log.h"
#include "services/bench/bench.h"
#include "services/bench/bench_util.h"
#include "services/bench/log_phases.h"
#include "services/bench/log_workload.h"
#include "services/transparency/notary.h"

namespace rotor::bench {
namespace {

struct LogBenchOptions {
  uint64_t events = 1000000;
  size_t batch = 1000;
  size_t payload_bytes = 120;
  size_t streams = 64;
  size_t threads = 8;
  size_t per_thread = 2000;
  int read_passes = 3;
  int rounds = 3;
  int fsyncs = 200;
  std::string dir;
  bool keep = false;
  bool json = false;
};

constexpr double kAppendTarget = 0.6;
constexpr double kTreeTarget = 0.9;  // append with the tree kept, x append without
constexpr double kReadTarget = 0.7;
constexpr double kConcurrentTarget = 2.0;
constexpr double kFsyncFloorTarget = 0.7;

struct Figures {
  uint64_t events = 0;
  uint64_t value_bytes = 0;
  bool bytes_identical = false;
  double append = 0, raw_append = 0, read = 0, raw_read = 0, append_with_tree = 0;
  uint64_t tree_behind_at_end = 0;  // records the tree still lacked when the appends ended
  double concurrent = 0, raw_concurrent = 0;
  double fsync_floor = 0;  // threads / median seconds of one write+fdatasync
  double group_floor = 0;  // MinimalGroupCommitPerSecond
  // Calling-thread CPU nanoseconds per event.
  double append_cpu = 0, raw_append_cpu = 0, read_cpu = 0, raw_read_cpu = 0;
  uint64_t group_commits = 0, grouped_requests = 0;
  // Per group commit of the best round, microseconds: sealing, RocksDB's
  // Write (WAL, fsync, memtables), and the rest of the round's wall time
  // (waking the group, the appenders queueing again, gathering).
  double seal_us = 0, write_us = 0, between_us = 0;
};

double Ratio(double a, double b) { return b > 0 ? a / b : 0.0; }
double NanosPerEvent(double seconds, uint64_t events) {
  return Ratio(seconds * 1e9, static_cast<double>(events));
}

Status BatchAndReadPhases(const LogBenchOptions& o, const TempDir& dir, Figures* f) {
  std::vector<AppendRequest> batches = MakeBatches(o.events, o.batch, o.payload_bytes, o.streams);
  std::vector<StoredRecord> records = SealInOrder(batches);
  for (const StoredRecord& r : records) f->value_bytes += r.value.size();
  f->events = records.size();

  Result<std::unique_ptr<rocksdb::DB>> raw = OpenRaw(dir.Sub("raw-batch"));
  ROTOR_RETURN_IF_ERROR(raw.status());
  Result<Timing> raw_append = RawBatchAppend(raw->get(), records, o.batch);
  ROTOR_RETURN_IF_ERROR(raw_append.status());
  f->raw_append = PerSecond(f->events, raw_append->wall);
  f->raw_append_cpu = NanosPerEvent(raw_append->cpu, f->events);

  Result<std::unique_ptr<RocksDbEventLog>> log = RocksDbEventLog::Open(dir.Sub("rotor-batch"));
  ROTOR_RETURN_IF_ERROR(log.status());
  Result<Timing> append = RotorBatchAppend(log->get(), std::move(batches));
  ROTOR_RETURN_IF_ERROR(append.status());
  f->append = PerSecond(f->events, append->wall);
  f->append_cpu = NanosPerEvent(append->cpu, f->events);

  Result<bool> same = SameBytes(**log, records);
  ROTOR_RETURN_IF_ERROR(same.status());
  f->bytes_identical = *same;
  records.clear();
  records.shrink_to_fit();

  for (int pass = 0; pass < o.read_passes; ++pass) {
    Result<Timing> raw_read = RawRead(raw->get(), f->events);
    ROTOR_RETURN_IF_ERROR(raw_read.status());
    if (PerSecond(f->events, raw_read->wall) > f->raw_read) {
      f->raw_read = PerSecond(f->events, raw_read->wall);
      f->raw_read_cpu = NanosPerEvent(raw_read->cpu, f->events);
    }
    Result<Timing> read = RotorRead(**log, f->events);
    ROTOR_RETURN_IF_ERROR(read.status());
    if (PerSecond(f->events, read->wall) > f->read) {
      f->read = PerSecond(f->events, read->wall);
      f->read_cpu = NanosPerEvent(read->cpu, f->events);
    }
  }
  return Status::Ok();
}

// Phase 1b: the batch appends on a fresh log while a Notary (without a
// signer) keeps the Merkle tree, until the tree holds every record.
Status TreeAppendPhase(const LogBenchOptions& o, const TempDir& dir, Figures* f) {
  Result<std::unique_ptr<RocksDbEventLog>> log = RocksDbEventLog::Open(dir.Sub("rotor-tree"));
  ROTOR_RETURN_IF_ERROR(log.status());
  Result<std::unique_ptr<MerkleStore>> tree = MerkleStore::Open(dir.Sub("rotor-tree-merkle"));
  ROTOR_RETURN_IF_ERROR(tree.status());
  std::vector<AppendRequest> batches = MakeBatches(o.events, o.batch, o.payload_bytes, o.streams);
  transparency::Notary notary(**log, **tree, std::nullopt, {});
  notary.Start();
  Stopwatch clock;
  Result<Timing> append = RotorBatchAppend(log->get(), std::move(batches));
  notary.Stop();
  f->tree_behind_at_end = f->events - (*tree)->size();
  Result<uint64_t> size = notary.CatchUp();  // what the thread had not reached
  double seconds = clock.Seconds();
  ROTOR_RETURN_IF_ERROR(append.status());
  ROTOR_RETURN_IF_ERROR(size.status());
  if (*size != f->events) return Status::Internal("the tree does not hold every record");
  f->append_with_tree = PerSecond(f->events, seconds);
  return Status::Ok();
}

// One round of the concurrent phase on fresh databases "<name>-<round>".
Status ConcurrentRound(const LogBenchOptions& o, const TempDir& dir, int round, Figures* f) {
  std::vector<std::vector<AppendRequest>> appends =
      MakeSingleAppends(o.threads, o.per_thread, o.payload_bytes);
  std::vector<AppendRequest> flat;
  for (const auto& mine : appends) flat.insert(flat.end(), mine.begin(), mine.end());
  std::vector<StoredRecord> records = SealInOrder(flat);
  flat.clear();
  uint64_t total = records.size();
  uint64_t record_bytes = 0;
  for (const StoredRecord& r : records) record_bytes += r.key.size() + r.value.size();
  Result<double> fsync = MedianFsyncSeconds(dir.path(), record_bytes / total, o.fsyncs);
  ROTOR_RETURN_IF_ERROR(fsync.status());
  f->fsync_floor = std::max(f->fsync_floor, Ratio(static_cast<double>(o.threads), *fsync));
  Result<double> group_floor =
      MinimalGroupCommitPerSecond(dir.path(), record_bytes / total, o.threads, o.per_thread);
  ROTOR_RETURN_IF_ERROR(group_floor.status());
  f->group_floor = std::max(f->group_floor, *group_floor);

  Result<std::unique_ptr<rocksdb::DB>> raw =
      OpenRaw(dir.Sub(fmt::format("raw-concurrent-{}", round)));
  ROTOR_RETURN_IF_ERROR(raw.status());
  rocksdb::WriteOptions wo;
  wo.sync = true;
  Result<double> raw_seconds = RunThreads(o.threads, [&](size_t t) {
    for (size_t i = t * o.per_thread; i < (t + 1) * o.per_thread; ++i) {
      rocksdb::Status s = (*raw)->Put(wo, records[i].key, records[i].value);
      if (!s.ok()) return Status::IoError("raw concurrent put: " + s.ToString());
    }
    return Status::Ok();
  });
  ROTOR_RETURN_IF_ERROR(raw_seconds.status());
  f->raw_concurrent = std::max(f->raw_concurrent, PerSecond(total, *raw_seconds));

  Result<std::unique_ptr<RocksDbEventLog>> log =
      RocksDbEventLog::Open(dir.Sub(fmt::format("rotor-concurrent-{}", round)));
  ROTOR_RETURN_IF_ERROR(log.status());
  Result<double> seconds = RunThreads(o.threads, [&](size_t t) {
    for (AppendRequest& r : appends[t]) {
      Result<AppendResult> result = (*log)->Append(std::move(r));
      if (!result.ok()) return result.status().WithContext("rotor concurrent append");
    }
    return Status::Ok();
  });
  ROTOR_RETURN_IF_ERROR(seconds.status());
  if ((*log)->Head() != total) return Status::Internal("concurrent appends lost events");
  if (PerSecond(total, *seconds) > f->concurrent) {
    f->concurrent = PerSecond(total, *seconds);
    f->group_commits = (*log)->group_commits();
    f->grouped_requests = (*log)->grouped_requests();
    auto groups = static_cast<double>(f->group_commits);
    f->seal_us = Ratio(static_cast<double>((*log)->seal_nanos()) * 1e-3, groups);
    f->write_us = Ratio(static_cast<double>((*log)->write_nanos()) * 1e-3, groups);
    f->between_us = Ratio(*seconds * 1e6, groups) - f->seal_us - f->write_us;
  }
  return Status::Ok();
}

void PrintJson(const LogBenchOptions& o, const Figures& f) {
  double append_ratio = Ratio(f.append, f.raw_append);
  double read_ratio = Ratio(f.read, f.raw_read);
  double concurrent_ratio = Ratio(f.concurrent, f.raw_concurrent);
  double tree_ratio = Ratio(f.append_with_tree, f.append);
  double floor_ratio = Ratio(f.concurrent, f.fsync_floor);
  JsonObject targets;
  targets.Add("append_ratio", kAppendTarget)
      .Add("append_with_tree_vs_without", kTreeTarget)
      .Add("read_ratio", kReadTarget)
      .Add("concurrent_ratio", kConcurrentTarget)
      .Add("concurrent_vs_fsync_floor", kFsyncFloorTarget);
  JsonObject j;
  j.Add("events", f.events)
      .Add("batch", uint64_t{o.batch})
      .Add("payload_bytes", uint64_t{o.payload_bytes})
      .Add("avg_value_bytes",
           Ratio(static_cast<double>(f.value_bytes), static_cast<double>(f.events)))
      .Add("threads", uint64_t{o.threads})
      .Add("events_per_thread", uint64_t{o.per_thread})
      .Add("read_passes", static_cast<uint64_t>(o.read_passes))
      .Add("concurrent_rounds", static_cast<uint64_t>(o.rounds))
      .Add("append_per_s", f.append)
      .Add("raw_append_per_s", f.raw_append)
      .Add("append_ratio", append_ratio)
      .Add("append_with_tree_per_s", f.append_with_tree)
      .Add("append_with_tree_vs_without", tree_ratio)
      .Add("append_with_tree_ratio", Ratio(f.append_with_tree, f.raw_append))
      .Add("tree_behind_at_end", f.tree_behind_at_end)
      .Add("read_per_s", f.read)
      .Add("raw_read_per_s", f.raw_read)
      .Add("read_ratio", read_ratio)
      .Add("concurrent_append_per_s", f.concurrent)
      .Add("raw_concurrent_append_per_s", f.raw_concurrent)
      .Add("concurrent_ratio", concurrent_ratio)
      .Add("fsync_floor_per_s", f.fsync_floor)
      .Add("concurrent_vs_fsync_floor", floor_ratio)
      .Add("group_commit_floor_per_s", f.group_floor)
      .Add("concurrent_vs_group_commit_floor", Ratio(f.concurrent, f.group_floor))
      .Add("group_commit_floor_vs_fsync_floor", Ratio(f.group_floor, f.fsync_floor))
      .Add("append_cpu_ns_per_event", f.append_cpu)
      .Add("raw_append_cpu_ns_per_event", f.raw_append_cpu)
      .Add("read_cpu_ns_per_event", f.read_cpu)
      .Add("raw_read_cpu_ns_per_event", f.raw_read_cpu)
      .Add("concurrent_group_commits", f.group_commits)
      .Add("concurrent_appends_per_group",
           Ratio(static_cast<double>(f.grouped_requests), static_cast<double>(f.group_commits)))
      .Add("concurrent_seal_us_per_group", f.seal_us)
      .Add("concurrent_write_us_per_group", f.write_us)
      .Add("concurrent_between_groups_us", f.between_us)
      .Add("bytes_identical", f.bytes_identical)
      .AddObject("targets", targets)
      .Add("targets_met", append_ratio >= kAppendTarget && read_ratio >= kReadTarget &&
                              concurrent_ratio >= kConcurrentTarget && tree_ratio >= kTreeTarget &&
                              Ratio(f.append_with_tree, f.raw_append) >= kAppendTarget &&
                              floor_ratio >= kFsyncFloorTarget);
  fmt::print("{}\n", j.ToString());
}

void PrintHuman(const LogBenchOptions& o, const Figures& f) {
  fmt::print("rotor-bench log: {} events, ~{}-byte payloads ({:.0f}-byte stored values), sync on\n",
             f.events, o.payload_bytes,
             Ratio(static_cast<double>(f.value_bytes), static_cast<double>(f.events)));
  fmt::print("raw RocksDB (default options) writes the same keys and bytes (identical: {})\n",
             f.bytes_identical ? "yes" : "NO");
  auto line = [](std::string_view what, double rotor, double raw, double target) {
    double ratio = Ratio(rotor, raw);
    fmt::print("  {:<32} rotor {:>9.0f}/s  raw {:>9.0f}/s  {:.2f}x (target {:.1f}x: {})\n", what,
               rotor, raw, ratio, target, ratio >= target ? "met" : "MISSED");
  };
  line(fmt::format("append, batches of {}", o.batch), f.append, f.raw_append, kAppendTarget);
  line("append with the Merkle tree kept", f.append_with_tree, f.raw_append, kAppendTarget);
  fmt::print("  {:<32} {:.2f}x append without it (target {:.1f}x: {})\n", "",
             Ratio(f.append_with_tree, f.append), kTreeTarget,
             Ratio(f.append_with_tree, f.append) >= kTreeTarget ? "met" : "MISSED");
  line(fmt::format("full read (best of {})", o.read_passes), f.read, f.raw_read, kReadTarget);
  line(fmt::format("{}x{} single appends (best of {})", o.threads, o.per_thread, o.rounds),
       f.concurrent, f.raw_concurrent, kConcurrentTarget);
  line(fmt::format("  vs the disk's fsync floor ({}/sync)", o.threads), f.concurrent, f.fsync_floor,
       kFsyncFloorTarget);
  fmt::print("  {:<32} {:.0f}/s: {:.2f}x the fsync floor; rotor {:.2f}x it\n",
             "  group commit of write+fdatasync", f.group_floor,
             Ratio(f.group_floor, f.fsync_floor), Ratio(f.concurrent, f.group_floor));
  fmt::print("  thread CPU per event: append {:.0f} ns (raw {:.0f}), read {:.0f} ns (raw {:.0f})\n",
             f.append_cpu, f.raw_append_cpu, f.read_cpu, f.raw_read_cpu);
  fmt::print("  rotor group commits: {} carrying {} appends ({:.2f} per sync)\n", f.group_commits,
             f.grouped_requests,
             Ratio(static_cast<double>(f.grouped_requests), static_cast<double>(f.group_commits)));
  fmt::print(
      "  per group: sealing {:.1f} us, RocksDB write (WAL, fsync, memtables) {:.1f} us, "
      "between groups {:.1f} us\n",
      f.seal_us, f.write_us, f.between_us);
}

int RunLogBench(const LogBenchOptions& o) {
  Result<std::unique_ptr<TempDir>> dir = TempDir::Create(o.dir);
  if (!dir.ok()) {
    spdlog::error("{}", dir.status().ToString());
    return 1;
  }
  if (o.keep) (*dir)->Keep();
  spdlog::info("rotor-bench log: data in {}{}", (*dir)->path(), o.keep ? " (kept)" : "");
  Figures f;
  Status s = BatchAndReadPhases(o, **dir, &f);
  if (s.ok()) s = TreeAppendPhase(o, **dir, &f);
  for (int round = 0; s.ok() && round < o.rounds; ++round) s = ConcurrentRound(o, **dir, round, &f);
  if (!s.ok()) {
    spdlog::error("rotor-bench log: {}", s.ToString());
    return 1;
  }
  if (o.json) {
    PrintJson(o, f);
  } else {
    PrintHuman(o, f);
  }
  return f.bytes_identical ? 0 : 1;
}

}  // namespace

Runner AddLogBench(CLI::App* command) {
  auto o = std::make_shared<LogBenchOptions>();
  command->add_option("--events", o->events, "events to append in batches and read back")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--batch", o->batch, "events per batch append")
      ->check(CLI::Range(size_t{1}, kMaxEventsPerAppend))
      ->capture_default_str();
  command->add_option("--payload-bytes", o->payload_bytes, "approximate payload size")
      ->capture_default_str();
  command->add_option("--streams", o->streams, "streams the batches are spread over")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--threads", o->threads, "concurrent single-event appenders")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--per-thread", o->per_thread, "appends per concurrent thread")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--read-passes", o->read_passes, "full reads per side; the best counts")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command
      ->add_option("--rounds", o->rounds,
                   "concurrent rounds on fresh databases, sides alternating; the best counts")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command
      ->add_option("--fsyncs", o->fsyncs,
                   "write+fdatasync pairs timed per round for the disk's floor (median)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--dir", o->dir, "parent of the scratch directory (default $TMPDIR or /tmp)");
  command->add_flag("--keep", o->keep, "keep the scratch directory (to read RocksDB's LOG files)");
  command->add_flag("--json", o->json, "print one JSON object");
  return [o] { return RunLogBench(*o); };
}

}  // namespace rotor::bench
