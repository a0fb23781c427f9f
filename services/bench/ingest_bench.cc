// `rotor-bench ingest`: HTTP batch ingest of agent reports against the raw
// durable write of the same reports.
//
//   http: `--reports` reports in POST /v1/reports:batch requests of
//         `--batch` (the JSON `rotorctl ingest` sends: {"reports":[...]} of
//         reports in protobuf's JSON mapping), over loopback keep-alive
//         connections from `--clients` threads, to rotord's real HTTP server
//         and Engine in this process (fsync on, as in production). Timed from
//         the first request to the last reply; every reply's "ingested" must
//         add up to `--reports`. The process's CPU time (every thread:
//         client, server, engine, projections) per report is printed too:
//         on a loaded machine it moves less than the rate. So is the
//         projection lag: from each reply to the engine's projections
//         holding that request's last event (p50, p99).
//   raw:  the same reports, parsed beforehand (not timed), each serialized to
//         its protobuf bytes and written in one synced RocksDB WriteBatch per
//         request (RocksDB's default options): the minimum durable work.
//   engine: the same reports, parsed beforehand, as IngestAgentReport
//         commands, one CommandService::ExecuteBatch per request (what the
//         route does after parsing) on a RocksDbEventLog with fsync on, without
//         HTTP and projections. The calling thread leads every group commit, so
//         its CPU time per report is the decide-append-evolve path's cost; it
//         moves little with the machine's load.
#include <rocksdb/write_batch.h>
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <thread>

#include "base/coding.h"
#include "base/hash.h"
#include "base/mutex.h"
#include "events/codec.h"
#include "events/rocksdb_event_log.h"
#include "services/bench/bench.h"
#include "services/bench/bench_util.h"
#include "services/bench/log_phases.h"
#include "services/bench/stream_load.h"
#include "services/domain/command_service.h"

namespace rotor::bench {
namespace {

using nlohmann::json;

struct IngestBenchOptions {
  uint64_t reports = 200000;
  size_t batch = 1000;
  size_t clients = 1;
  bool shuffle = false;  // agents in a random order (fixed seed), not agent-0, agent-1, ...
  std::string dir;
  bool json = false;
};

constexpr double kHttpTarget = 100000;  // reports/s

struct Figures {
  double http = 0, raw = 0, engine = 0;
  double engine_cpu_us = 0;  // the engine phase's thread CPU per report
  double http_cpu_us = 0;    // process CPU (all threads) per report during the HTTP side
  double lag_p50_ms = 0, lag_p99_ms = 0;  // reply to projections holding the request's events
  uint64_t request_bytes = 0;
};

// The request bodies, `batch` reports each, as rotorctl ingest builds them.
std::vector<std::string> MakeBodies(const IngestBenchOptions& o) {
  const std::string fp = ToHex(Sha256("rotor-bench ingest"));
  std::vector<uint64_t> agents(o.reports);
  std::iota(agents.begin(), agents.end(), uint64_t{0});
  if (o.shuffle) std::shuffle(agents.begin(), agents.end(), std::mt19937_64(16));
  std::vector<std::string> bodies;
  for (uint64_t start = 0; start < o.reports; start += o.batch) {
    json body = {{"reports", json::array()}};
    for (uint64_t i = start; i < std::min(o.reports, start + o.batch); ++i) {
      std::string n = std::to_string(agents[i]);
      body["reports"].push_back(json::parse(ReportJson("r-" + n, "agent-" + n, {fp})));
    }
    bodies.push_back(body.dump());
  }
  return bodies;
}

// Parses every body into its reports, one vector per request. Errors: the
// first report that does not parse.
Result<std::vector<std::vector<AgentReport>>> ParseBodies(const std::vector<std::string>& bodies) {
  std::vector<std::vector<AgentReport>> out;
  for (const std::string& body : bodies) {
    std::vector<AgentReport>& reports = out.emplace_back();
    // Kept in a variable: a range-for over a member of a temporary would
    // iterate a destroyed document.
    const json document = json::parse(body);
    for (const json& item : document["reports"]) {
      Result<AgentReport> report = ParseAgentReportJson(item.dump());
      if (!report.ok()) return report.status();
      reports.push_back(std::move(*report));
    }
  }
  return out;
}

// The raw side: the reports' protobuf bytes (serialized before the clock
// starts), one synced WriteBatch per request. Returns seconds.
Result<double> RawWrite(const std::vector<std::vector<AgentReport>>& requests, uint64_t expected,
                        const std::string& path) {
  Result<std::unique_ptr<rocksdb::DB>> db = OpenRaw(path);
  ROTOR_RETURN_IF_ERROR(db.status());
  std::vector<std::vector<std::string>> serialized;
  for (const std::vector<AgentReport>& reports : requests) {
    std::vector<std::string>& bytes = serialized.emplace_back();
    for (const AgentReport& report : reports) bytes.push_back(SerializeAgentReport(report));
  }
  rocksdb::WriteOptions sync;
  sync.sync = true;
  uint64_t n = 0;
  std::string key;
  Stopwatch clock;
  for (const std::vector<std::string>& reports : serialized) {
    rocksdb::WriteBatch batch;
    for (const std::string& report : reports) {
      key.clear();
      PutBigEndian64(&key, n++);
      batch.Put(key, report);
    }
    rocksdb::Status s = (*db)->Write(sync, &batch);
    if (!s.ok()) return Status::IoError("raw write: " + s.ToString());
  }
  double seconds = clock.Seconds();
  if (n != expected) {
    return Status::Internal(fmt::format("raw side: wrote {} of {} reports", n, expected));
  }
  return seconds;
}

// The engine side: one ExecuteBatch per request (commands built before the
// clock starts). Fills f->engine and f->engine_cpu_us. Errors: the log's, or
// a report that was not ingested.
Status EngineIngest(const std::vector<std::vector<AgentReport>>& requests, const std::string& path,
                    Figures* f) {
  Result<std::unique_ptr<RocksDbEventLog>> log = RocksDbEventLog::Open(path);
  ROTOR_RETURN_IF_ERROR(log.status());
  domain::CommandService service(**log);
  std::vector<std::vector<domain::Command>> batches;
  Time now = std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now());
  uint64_t reports = 0;
  for (const std::vector<AgentReport>& request : requests) {
    std::vector<domain::Command>& commands = batches.emplace_back();
    for (const AgentReport& report : request) {
      commands.emplace_back(domain::IngestAgentReport{report, now, "bench-ingest"});
    }
    reports += request.size();
  }
  double cpu_before = ThreadCpuSeconds();
  Stopwatch clock;
  for (const std::vector<domain::Command>& commands : batches) {
    for (const Result<domain::CommandOutcome>& outcome : service.ExecuteBatch(commands)) {
      ROTOR_RETURN_IF_ERROR(outcome.status());
      if (outcome->IsNoOp()) return Status::Internal("engine side: a report was not ingested");
    }
  }
  if (reports == 0) return Status::Internal("engine side: no reports");
  f->engine = PerSecond(reports, clock.Seconds());
  f->engine_cpu_us = (ThreadCpuSeconds() - cpu_before) * 1e6 / static_cast<double>(reports);
  return Status::Ok();
}

// Projection lag under load: for each reply (its last sequence and when it
// came), the time until the engine's projections committed that sequence,
// measured by a thread of its own while the load runs.
class LagWatcher {
 public:
  explicit LagWatcher(const app::Engine& engine) : engine_(engine), thread_([this] { Run(); }) {}
  ~LagWatcher() { Finish(); }
  void Replied(uint64_t last_sequence) {
    MutexLock lock(&mu_);
    replies_.push_back({last_sequence, std::chrono::steady_clock::now()});
    cv_.Signal();
  }
  // Waits for the watcher to see every reply; returns the lags in ms.
  std::vector<double> Finish() {
    {
      MutexLock lock(&mu_);
      done_ = true;
      cv_.Signal();
    }
    if (thread_.joinable()) thread_.join();
    return lags_;
  }

 private:
  struct Reply {
    uint64_t sequence;
    std::chrono::steady_clock::time_point at;
  };
  void Run() {
    for (size_t next = 0;; ++next) {
      Reply r{};
      {
        MutexLock lock(&mu_);
        while (next == replies_.size() && !done_) cv_.Wait(&mu_);
        if (next == replies_.size()) return;
        r = replies_[next];
      }
      if (!engine_.WaitForProjections(r.sequence, std::chrono::seconds(60))) continue;
      lags_.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - r.at)
              .count());
    }
  }
  const app::Engine& engine_;
  Mutex mu_;
  CondVar cv_;
  std::vector<Reply> replies_ GUARDED_BY(mu_);
  bool done_ GUARDED_BY(mu_) = false;
  std::vector<double> lags_;  // the watcher thread's until Finish joins it
  std::thread thread_;
};

// The HTTP side: `clients` threads take the next body until none is left.
// Returns seconds; adds the process CPU seconds it took to `*cpu` and the
// projection lag to `f`. Errors: a failed request, or reports not all ingested.
Result<double> HttpIngest(const IngestBenchOptions& o, const std::vector<std::string>& bodies,
                          const TempDir& dir, double* cpu, Figures* f) {
  Result<std::unique_ptr<LoopbackRotord>> rotord = LoopbackRotord::Start(dir.Sub("rotord"), 1);
  ROTOR_RETURN_IF_ERROR(rotord.status());
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> ingested{0};
  int port = (*rotord)->port();
  LagWatcher lag((*rotord)->engine());
  double cpu_before = ProcessCpuSeconds();
  Result<double> seconds = RunThreads(o.clients, [&](size_t) {
    ApiClient api(port);
    std::string reply;
    for (size_t i; (i = next.fetch_add(1)) < bodies.size();) {
      Result<double> ms = api.Call("POST", "/v1/reports:batch", kIngestToken, bodies[i], &reply);
      ROTOR_RETURN_IF_ERROR(ms.status());
      json answer = json::parse(reply, nullptr, false);
      ingested += answer.value("ingested", uint64_t{0});
      if (answer.contains("last_sequence")) lag.Replied(answer.value("last_sequence", uint64_t{0}));
    }
    return Status::Ok();
  });
  ROTOR_RETURN_IF_ERROR(seconds.status());
  *cpu += ProcessCpuSeconds() - cpu_before;
  std::vector<double> lags = lag.Finish();
  f->lag_p50_ms = Percentile(lags, 0.5);
  f->lag_p99_ms = Percentile(lags, 0.99);
  if (ingested != o.reports) {
    return Status::Internal(fmt::format("{} of {} reports ingested", ingested.load(), o.reports));
  }
  return seconds;
}

double Ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

void Print(const IngestBenchOptions& o, const Figures& f) {
  bool met = f.http >= kHttpTarget;
  if (!o.json) {
    fmt::print("rotor-bench ingest: {} reports, {} a request, {} client(s), {:.0f} bytes a body\n",
               o.reports, o.batch, o.clients,
               Ratio(static_cast<double>(f.request_bytes) * static_cast<double>(o.batch),
                     static_cast<double>(o.reports)));
    fmt::print("  http  {:>9.0f}/s  raw durable write {:>9.0f}/s  {:.3f}x (target {:.0f}/s: {})\n",
               f.http, f.raw, Ratio(f.http, f.raw), kHttpTarget, met ? "met" : "MISSED");
    fmt::print("  {:.1f} us of CPU (every thread of the process) per report over HTTP\n",
               f.http_cpu_us);
    fmt::print("  engine alone {:>9.0f}/s, {:.2f} us of CPU per report on its thread\n", f.engine,
               f.engine_cpu_us);
    fmt::print("  projection lag after each reply: p50 {:.1f} ms, p99 {:.1f} ms\n", f.lag_p50_ms,
               f.lag_p99_ms);
    return;
  }
  JsonObject targets;
  targets.Add("http_ingest_per_s", kHttpTarget);
  JsonObject j;
  j.Add("reports", o.reports)
      .Add("batch", uint64_t{o.batch})
      .Add("clients", uint64_t{o.clients})
      .Add("shuffle", o.shuffle)
      .Add("request_bytes", f.request_bytes)
      .Add("http_ingest_per_s", f.http)
      .Add("raw_durable_write_per_s", f.raw)
      .Add("http_vs_raw_durable_write", Ratio(f.http, f.raw))
      .Add("http_cpu_us_per_report", f.http_cpu_us)
      .Add("engine_ingest_per_s", f.engine)
      .Add("engine_cpu_us_per_report", f.engine_cpu_us)
      .Add("projection_lag_p50_ms", f.lag_p50_ms)
      .Add("projection_lag_p99_ms", f.lag_p99_ms)
      .AddObject("targets", targets)
      .Add("targets_met", met);
  fmt::print("{}\n", j.ToString());
}

int RunIngestBench(const IngestBenchOptions& o) {
  Result<std::unique_ptr<TempDir>> dir = TempDir::Create(o.dir);
  if (!dir.ok()) {
    spdlog::error("{}", dir.status().ToString());
    return 1;
  }
  std::vector<std::string> bodies = MakeBodies(o);
  Figures f;
  for (const std::string& body : bodies) f.request_bytes += body.size();
  Result<std::vector<std::vector<AgentReport>>> parsed = ParseBodies(bodies);
  Status s = parsed.status();
  if (s.ok()) {
    Result<double> raw = RawWrite(*parsed, o.reports, (*dir)->Sub("raw"));
    s = raw.status();
    if (s.ok()) f.raw = PerSecond(o.reports, *raw);
  }
  if (s.ok()) s = EngineIngest(*parsed, (*dir)->Sub("engine"), &f);
  if (s.ok()) {
    double cpu = 0;
    Result<double> http = HttpIngest(o, bodies, **dir, &cpu, &f);
    s = http.status();
    if (s.ok()) f.http = PerSecond(o.reports, *http);
    f.http_cpu_us = cpu * 1e6 / static_cast<double>(o.reports);
  }
  if (!s.ok()) {
    spdlog::error("rotor-bench ingest: {}", s.ToString());
    return 1;
  }
  Print(o, f);
  return 0;
}

}  // namespace

Runner AddIngestBench(CLI::App* command) {
  auto o = std::make_shared<IngestBenchOptions>();
  command->add_option("--reports", o->reports, "reports to ingest")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--batch", o->batch, "reports per POST /v1/reports:batch")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--clients", o->clients, "concurrent keep-alive connections")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_flag("--shuffle", o->shuffle,
                    "agents in a random order (fixed seed) instead of agent-0, agent-1, ...");
  command->add_option("--dir", o->dir, "parent of the scratch directory (default $TMPDIR or /tmp)");
  command->add_flag("--json", o->json, "print one JSON object");
  return [o] { return RunIngestBench(*o); };
}

}  // namespace rotor::bench
