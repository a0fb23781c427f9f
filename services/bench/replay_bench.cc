// `rotor-bench replay`: rebuilding the projections from the log against
// iterating the raw log.
//
// Phases, on a fresh RocksDB log in a scratch directory:
//   1. build: a replacement, then `--agents` agents each reporting the old
//      certificate; 90% then report the new one; 5% (of the rest) are flagged
//      stale. About 2,000,000 events for a million agents.
//   2. raw iteration: EventLog::ForEach decodes every envelope (what any
//      consumer of the log pays).
//   3. rebuild: every projection (fleet: progress, stale, agents,
//      certificates; audit) folded from zero (ComputeAsOf at the head); then
//      the resident memory the projections hold (RSS with them minus RSS
//      after freeing them), per agent. Phases 2 and 3 alternate for
//      `--passes` passes; rebuild_vs_raw is the median of the passes' ratios,
//      so that page-cache luck in one pass does not decide it.
//   4. queries: one progress query on the rollout, averaged over `--queries`,
//      also on a 1,000-agent fleet to show it does not depend on fleet size.
//   5. persisted rebuild: ProjectionRunner::Rebuild into a RocksDB projection
//      store (fold + one batch with the whole state and the checkpoint).
//   6. disk: the log compacted fully (RocksDbEventLog::CompactAll), then the
//      bytes of every file in its directory per event, next to the average
//      payload (the event's own protobuf bytes).
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "base/allocator.h"
#include "base/hash.h"
#include "events/codec.h"
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

struct ReplayOptions {
  uint64_t agents = 1000000;
  int passes = 3;
  uint64_t queries = 200000;
  std::string dir;
  bool json = false;
};

constexpr double kRebuildTarget = 0.5;  // x raw iteration
constexpr double kBytesPerAgentTarget = 64;
constexpr double kDiskOverheadTarget = 64;  // bytes on disk per event beyond its payload
// Agent i: received the new certificate (90%), or flagged stale (5%), or neither.
bool Receives(uint64_t i) { return i % 20 < 18; }
bool GoesStale(uint64_t i) { return i % 20 == 18; }

AgentInventoryReported Report(uint64_t i, Time at, bool with_new) {
  return FleetReport(i, at, with_new, with_new ? 2 : 1);
}

// The events of phase 1, in the order they are appended, generated on the fly.
Result<uint64_t> BuildLog(EventLog& log, uint64_t agents) {
  ChunkedAppender out(log);
  ROTOR_RETURN_IF_ERROR(AppendFleetStart(out));
  for (uint64_t i = 0; i < agents; ++i) {
    ROTOR_RETURN_IF_ERROR(out.Add(Report(i, FleetTime(i), false), FleetTime(i), "agent"));
  }
  uint64_t t = agents;
  for (uint64_t i = 0; i < agents; ++i) {
    if (!Receives(i)) continue;
    ROTOR_RETURN_IF_ERROR(out.Add(Report(i, FleetTime(t + i), true), FleetTime(t + i), "agent"));
  }
  t += agents + 7ull * 86400000;
  for (uint64_t i = 0; i < agents; ++i) {
    if (!GoesStale(i)) continue;
    AgentFlaggedStale flag{AgentName(i), FleetTime(i), FleetTime(t + i), uint64_t{7} * 86400};
    ROTOR_RETURN_IF_ERROR(out.Add(flag, FleetTime(t + i), "sweeper"));
  }
  ROTOR_RETURN_IF_ERROR(out.Flush());
  return log.Head();
}

uint64_t ResidentBytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  uint64_t size = 0, resident = 0;
  int n = std::fscanf(f, "%" SCNu64 " %" SCNu64, &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)) : 0;
}

struct Figures {
  uint64_t events = 0;
  double build_s = 0;
  double raw = 0, rebuild = 0, rebuild_ratio = 0, rebuild_persisted = 0, decode = 0, sequential = 0;
  double raw_cpu = 0, rebuild_cpu = 0, decode_cpu = 0;  // events per CPU second
  std::vector<double> raw_passes, rebuild_passes;       // events/s of each pass, in order
  uint64_t payload_bytes = 0;                           // of every event, one pass
  uint64_t disk_bytes = 0;                              // the log's directory, compacted
  uint64_t rss_bytes = 0, accounted_bytes = 0;
  double query_ns = 0, breakdown_query_ns = 0, small_query_ns = 0;
  std::string summary;
  uint64_t stale = 0;
};

// Average nanoseconds of one progress query on `fleet`.
double QueryNs(const projections::FleetProjection& fleet, uint64_t queries, bool breakdown) {
  uint64_t sink = 0;
  Stopwatch clock;
  for (uint64_t q = 0; q < queries; ++q) {
    auto p = breakdown ? fleet.ProgressWithBreakdown(kRollout) : fleet.Progress(kRollout);
    sink += p->received + p->summary.size();
  }
  double ns = clock.Seconds() * 1e9 / static_cast<double>(queries);
  return sink == 0 ? -1 : ns;
}

Status RawAndRebuild(const ReplayOptions& o, const EventLog& log, Figures* f) {
  for (int pass = 0; pass < o.passes; ++pass) {
    Stopwatch raw_clock;
    double cpu = ThreadCpuSeconds();
    uint64_t n = 0, touched = 0;
    ROTOR_RETURN_IF_ERROR(log.ForEach(1, [&](const RecordedEvent& e) {
      touched += e.payload.size();
      ++n;
      return true;
    }));
    f->raw_passes.push_back(PerSecond(n, raw_clock.Seconds()));
    f->payload_bytes = touched;
    f->raw_cpu = std::max(f->raw_cpu, PerSecond(n, ThreadCpuSeconds() - cpu));
    if (n != f->events || touched == 0) return Status::Internal("raw iteration lost events");

    Stopwatch decode_clock;
    cpu = ThreadCpuSeconds();
    n = 0;
    ROTOR_RETURN_IF_ERROR(log.ForEach(1, [&](const RecordedEvent& e) {
      Result<Event> event = DecodeEvent(e);
      n += event.ok() ? 1 : 0;
      return true;
    }));
    f->decode = std::max(f->decode, PerSecond(n, decode_clock.Seconds()));
    f->decode_cpu = std::max(f->decode_cpu, PerSecond(n, ThreadCpuSeconds() - cpu));

    ReleaseFreeMemory();
    uint64_t rss_before = ResidentBytes();
    Stopwatch clock;
    cpu = ThreadCpuSeconds();
    Result<std::unique_ptr<ReadModels>> models = ComputeAsOf(log, FoldLimit::Head());
    ROTOR_RETURN_IF_ERROR(models.status());
    f->rebuild_passes.push_back(PerSecond((*models)->folded.events, clock.Seconds()));
    f->rebuild_cpu =
        std::max(f->rebuild_cpu, PerSecond((*models)->folded.events, ThreadCpuSeconds() - cpu));
    ReleaseFreeMemory();  // return what the fold freed (vectors that grew), not what it holds
    uint64_t rss_with = ResidentBytes();
    auto& fleet = (*models)->fleet;
    f->accounted_bytes = fleet.MemoryBytes() + (*models)->audit.MemoryBytes();
    f->summary = fleet.Progress(kRollout)->summary;
    f->stale = fleet.Progress(kRollout)->stale;
    f->query_ns = QueryNs(fleet, o.queries, false);
    f->breakdown_query_ns = QueryNs(fleet, o.queries / 10, true);
    models->reset();
    ReleaseFreeMemory();
    uint64_t rss_without = ResidentBytes();
    // The same fold on one thread (no reader stage), for comparison.
    Stopwatch sequential_clock;
    Result<std::unique_ptr<ReadModels>> one =
        ComputeAsOf(log, FoldLimit::Head(), {.reader_thread = false});
    ROTOR_RETURN_IF_ERROR(one.status());
    f->sequential = std::max(f->sequential, PerSecond(f->events, sequential_clock.Seconds()));
    one->reset();
    ReleaseFreeMemory();
    // RocksDB's caches grow during the fold too: count only what freeing the
    // projections gave back, never less than what they account for.
    f->rss_bytes = std::max(f->rss_bytes, rss_with > rss_without ? rss_with - rss_without : 0);
    spdlog::info(
        "pass {}: raw {:.0f}/s ({:.0f}/cpu-s) decode {:.0f}/s ({:.0f}/cpu-s) rebuild "
        "{:.0f}/s ({:.0f}/cpu-s of the applying thread) one thread {:.0f}/s; rss "
        "before {} with {} after {}",
        pass, f->raw_passes.back(), f->raw_cpu, f->decode, f->decode_cpu, f->rebuild_passes.back(),
        f->rebuild_cpu, f->sequential, rss_before, rss_with, rss_without);
  }
  return Status::Ok();
}

// Median raw and rebuild rates, and the median of the passes' ratios.
void Summarize(Figures* f) {
  std::vector<double> ratios;
  for (size_t i = 0; i < f->raw_passes.size() && i < f->rebuild_passes.size(); ++i) {
    ratios.push_back(f->raw_passes[i] > 0 ? f->rebuild_passes[i] / f->raw_passes[i] : 0);
  }
  f->raw = Percentile(f->raw_passes, 0.5);
  f->rebuild = Percentile(f->rebuild_passes, 0.5);
  f->rebuild_ratio = Percentile(ratios, 0.5);
}

// Compacts the log fully and sums the sizes of the files in its directory.
// Errors: kIoError.
Status DiskBytes(RocksDbEventLog& log, const std::string& path, Figures* f) {
  ROTOR_RETURN_IF_ERROR(log.CompactAll());
  std::error_code error;
  uint64_t total = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(path, error)) {
    if (entry.is_regular_file(error)) total += entry.file_size(error);
    if (error) break;
  }
  if (error) return Status::IoError("size of " + path + ": " + error.message());
  f->disk_bytes = total;
  return Status::Ok();
}

// A progress query on a 1,000-agent fleet built in memory.
double SmallFleetQueryNs(uint64_t queries) {
  projections::FleetProjection fleet;
  RecordedEvent record;
  uint64_t seq = 0;
  auto apply = [&](const Event& e, Time at) {
    record.sequence = ++seq;
    record.recorded_at = at;
    fleet.Apply(record, e);
  };
  apply(ReplacementInitiated{kRollout, OldFingerprint(), NewFingerprint(),
                             CertificateKind::kServerWeb, ReplacementMode::kDirect, 1000},
        FleetTime(0));
  for (uint64_t i = 0; i < 1000; ++i) {
    apply(Report(i, FleetTime(i + 1), Receives(i)), FleetTime(i + 1));
  }
  return QueryNs(fleet, queries, false);
}

Status PersistedRebuild(const EventLog& log, const TempDir& dir, Figures* f) {
  Result<std::unique_ptr<projections::RocksDbProjectionStore>> store =
      projections::RocksDbProjectionStore::Open(dir.Sub("projections"));
  ROTOR_RETURN_IF_ERROR(store.status());
  projections::FleetProjection fleet;
  projections::AuditProjection audit;
  projections::ProjectionRunner fleet_runner(log, **store, fleet);
  projections::ProjectionRunner audit_runner(log, **store, audit);
  Stopwatch clock;
  ROTOR_RETURN_IF_ERROR(fleet_runner.Rebuild());
  ROTOR_RETURN_IF_ERROR(audit_runner.Rebuild());
  f->rebuild_persisted = PerSecond(f->events, clock.Seconds());
  return Status::Ok();
}

double Ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

void Print(const ReplayOptions& o, const Figures& f) {
  double ratio = f.rebuild_ratio;
  auto events = static_cast<double>(f.events);
  double payload = Ratio(static_cast<double>(f.payload_bytes), events);
  double disk = Ratio(static_cast<double>(f.disk_bytes), events);
  double per_agent = Ratio(static_cast<double>(f.rss_bytes), static_cast<double>(o.agents));
  double accounted = Ratio(static_cast<double>(f.accounted_bytes), static_cast<double>(o.agents));
  bool met = ratio >= kRebuildTarget && per_agent <= kBytesPerAgentTarget && f.query_ns < 10000 &&
             disk <= payload + kDiskOverheadTarget;
  if (!o.json) {
    fmt::print("rotor-bench replay: {} agents, {} events (log built in {:.1f} s)\n", o.agents,
               f.events, f.build_s);
    fmt::print("  raw iteration      {:>11.0f} events/s (median of {})\n", f.raw, o.passes);
    fmt::print(
        "  rebuild (memory)   {:>11.0f} events/s  {:.2f}x raw, median ratio (target {:.1f}x)\n",
        f.rebuild, ratio, kRebuildTarget);
    fmt::print("  rebuild, 1 thread  {:>11.0f} events/s  {:.2f}x raw\n", f.sequential,
               Ratio(f.sequential, f.raw));
    fmt::print("  rebuild (to store) {:>11.0f} events/s  {:.2f}x raw\n", f.rebuild_persisted,
               Ratio(f.rebuild_persisted, f.raw));
    fmt::print(
        "  memory             {:.1f} bytes/agent resident, {:.1f} accounted (target <= {:.0f})\n",
        per_agent, accounted, kBytesPerAgentTarget);
    fmt::print(
        "  progress query     {:.0f} ns ({:.0f} ns with breakdown; {:.0f} ns at 1,000 agents)\n",
        f.query_ns, f.breakdown_query_ns, f.small_query_ns);
    fmt::print(
        "  disk               {:.1f} bytes/event compacted, payload {:.1f} (target <= +{:.0f})\n",
        disk, payload, kDiskOverheadTarget);
    fmt::print("  \"{}\", {} stale — targets {}\n", f.summary, f.stale, met ? "met" : "MISSED");
    return;
  }
  JsonObject targets;
  targets.Add("rebuild_vs_raw", kRebuildTarget)
      .Add("bytes_per_agent", kBytesPerAgentTarget)
      .Add("disk_bytes_over_payload", kDiskOverheadTarget);
  JsonObject passes;
  for (size_t i = 0; i < f.raw_passes.size() && i < f.rebuild_passes.size(); ++i) {
    passes.Add(fmt::format("{}", i + 1), Ratio(f.rebuild_passes[i], f.raw_passes[i]));
  }
  JsonObject j;
  j.Add("agents", o.agents)
      .Add("events", f.events)
      .Add("log_build_s", f.build_s)
      .Add("raw_iterate_per_s", f.raw)
      .Add("rebuild_per_s", f.rebuild)
      .Add("rebuild_vs_raw", ratio)
      .AddObject("rebuild_vs_raw_passes", passes)
      .Add("rebuild_one_thread_per_s", f.sequential)
      .Add("rebuild_one_thread_vs_raw", Ratio(f.sequential, f.raw))
      .Add("raw_iterate_per_cpu_s", f.raw_cpu)
      .Add("rebuild_apply_thread_per_cpu_s", f.rebuild_cpu)
      .Add("decode_event_per_s", f.decode)
      .Add("rebuild_persisted_per_s", f.rebuild_persisted)
      .Add("rebuild_persisted_vs_raw", Ratio(f.rebuild_persisted, f.raw))
      .Add("bytes_per_agent", per_agent)
      .Add("accounted_bytes_per_agent", accounted)
      .Add("progress_query_ns", f.query_ns)
      .Add("progress_breakdown_query_ns", f.breakdown_query_ns)
      .Add("progress_query_ns_1000_agents", f.small_query_ns)
      .Add("bytes_on_disk_per_event", disk)
      .Add("avg_payload_bytes", payload)
      .Add("summary", f.summary)
      .Add("stale", f.stale)
      .AddObject("targets", targets)
      .Add("targets_met", met);
  fmt::print("{}\n", j.ToString());
}

int RunReplayBench(const ReplayOptions& o) {
  Result<std::unique_ptr<TempDir>> dir = TempDir::Create(o.dir);
  if (!dir.ok()) {
    spdlog::error("{}", dir.status().ToString());
    return 1;
  }
  spdlog::info("rotor-bench replay: data in {}", (*dir)->path());
  Figures f;
  Status s;
  {
    Result<std::unique_ptr<RocksDbEventLog>> log =
        RocksDbEventLog::Open((*dir)->Sub("log"), {.sync = false});
    if (!log.ok()) s = log.status();
    if (s.ok()) {
      Stopwatch clock;
      Result<uint64_t> events = BuildLog(**log, o.agents);
      f.build_s = clock.Seconds();
      if (events.ok()) f.events = *events;
      s = events.status();
    }
    if (s.ok()) s = RawAndRebuild(o, **log, &f);
    if (s.ok()) Summarize(&f);
    if (s.ok()) s = PersistedRebuild(**log, **dir, &f);
    if (s.ok()) s = DiskBytes(**log, (*dir)->Sub("log"), &f);
  }
  f.small_query_ns = SmallFleetQueryNs(o.queries);
  if (!s.ok()) {
    spdlog::error("rotor-bench replay: {}", s.ToString());
    return 1;
  }
  Print(o, f);
  return 0;
}

}  // namespace

Runner AddReplayBench(CLI::App* command) {
  auto o = std::make_shared<ReplayOptions>();
  command->add_option("--agents", o->agents, "agents in the fleet")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command
      ->add_option("--passes", o->passes,
                   "raw iterations and rebuilds, alternating; the median ratio counts")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--queries", o->queries, "progress queries to average")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--dir", o->dir, "parent of the scratch directory (default $TMPDIR or /tmp)");
  command->add_flag("--json", o->json, "print one JSON object");
  return [o] { return RunReplayBench(*o); };
}

}  // namespace rotor::bench
