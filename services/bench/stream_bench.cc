// `rotor-bench stream`: live updates at dashboard scale.
//
// rotord's real HTTP server and Engine run in this process on 127.0.0.1 and
// an ephemeral port (fsync on); every call goes over loopback TCP. Phases:
//   1. fleet: two server certificates, `--fleet` agents reporting the old
//      one, a direct replacement.
//   2. idle API: `--requests` calls on one keep-alive connection, half
//      GET /v1/rollouts/{id} (a query), half POST /v1/reports of a new agent
//      (a command that changes the progress); p99 latency.
//   3. `--subscribers` GET /v1/stream subscribers (one polling thread), each
//      waits for its first progress event; then the API calls again. Each
//      command changes the progress, so the subscribers get updates during
//      this phase. Over phases 2 and 3 the process's CPU time and context
//      switches are reported, and in phase 3 the CPU time of the subscribers'
//      client (the polling thread shares this process and its cores with
//      rotord; a real dashboard's browser does not).
//   4. lag: reports of new agents that hold both certificates, POSTed in
//      batches of `--batch` on `--connections` connections, paced to
//      `--rate` reports/s for `--seconds`. For every subscriber and batch,
//      the time from the batch's send to the first update whose received
//      count includes it; p50 and p99.
// The run is bounded: every phase has a deadline and `--max-seconds` ends
// the process with exit 3 whatever happens.
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>

#include "services/bench/bench.h"
#include "services/bench/bench_util.h"
#include "services/bench/stream_load.h"

namespace rotor::bench {
namespace {

struct StreamOptions {
  uint64_t subscribers = 1000;
  uint64_t fleet = 10000;
  uint64_t requests = 4000;  // per phase: the p99 of 400 moved by 3x between quiet runs
  uint64_t rate = 20000;
  uint64_t batch = 1000;
  uint64_t connections = 2;
  double seconds = 10;
  double max_seconds = 600;
  std::string dir;
  bool json = false;
};

constexpr double kApiRatioTarget = 2.0;
constexpr double kLagTarget = 1000;  // ms

struct Figures {
  size_t connected = 0;
  int server_streams = 0;
  int64_t threads = 0;
  double api_idle = 0, api_with = 0;
  // Over each API phase: the process's CPU time and context switches, and
  // (with subscribers) the CPU time of the bench's own subscriber client.
  double cpu_ms_idle = 0, cpu_ms_with = 0, client_cpu_ms_with = 0;
  int64_t switches_idle = 0, switches_with = 0;
  double query_idle = 0, query_with = 0, command_idle = 0, command_with = 0;
  double ingest_rate = 0;
  uint64_t ingested = 0;
  double lag_p50 = 0, lag_p99 = 0;
  uint64_t lag_samples = 0, unseen = 0, updates = 0;
};

// Threads of this process (/proc/self/status).
int64_t ProcessThreads() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoll(line.substr(8));
  }
  return 0;
}

// The process's CPU time (ms) and context switches so far.
std::pair<double, int64_t> ProcessUsage() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto ms = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3;
  };
  return {ms(u.ru_utime) + ms(u.ru_stime), u.ru_nvcsw + u.ru_nivcsw};
}

// Phase 2 (and 3): p99 of all calls, of the queries and of the commands.
Status ApiLatency(ApiClient& api, const StreamOptions& o, const std::string& old_fp,
                  uint64_t* agent, double* all, double* queries, double* commands) {
  std::vector<double> q, c;
  const std::string rollout = std::string("/v1/rollouts/") + kBenchRollout;
  for (uint64_t i = 0; i < o.requests; ++i) {
    Result<double> ms = i % 2 == 0
                            ? api.Call("GET", rollout, kAuditorToken)
                            : api.Call("POST", "/v1/reports", kIngestToken,
                                       ReportJson("c-" + std::to_string(*agent),
                                                  "cmd-" + std::to_string(*agent), {old_fp}));
    if (i % 2 == 1) ++*agent;
    ROTOR_RETURN_IF_ERROR(ms.status());
    (i % 2 == 0 ? q : c).push_back(*ms);
  }
  std::vector<double> both = q;
  both.insert(both.end(), c.begin(), c.end());
  *all = Percentile(both, 0.99);
  *queries = Percentile(q, 0.99);
  *commands = Percentile(c, 0.99);
  return Status::Ok();
}

// Phase 4: paced batches; registers each with `watchers` before sending it.
Status Ingest(int port, const StreamOptions& o, const std::string& old_fp,
              const std::string& new_fp, int64_t base, Watchers& watchers, Figures* f) {
  const uint64_t batches =
      std::max<uint64_t>(1, static_cast<uint64_t>(o.seconds * static_cast<double>(o.rate) /
                                                  static_cast<double>(o.batch)));
  const auto period =
      std::chrono::duration<double>(static_cast<double>(o.batch) / static_cast<double>(o.rate));
  std::mutex mu;  // orders AddBatch with the received counts
  std::atomic<uint64_t> next{0};
  std::atomic<bool> failed{false};
  Status failure;
  const auto start = std::chrono::steady_clock::now();
  auto worker = [&] {
    ApiClient api(port);
    for (uint64_t b; (b = next.fetch_add(1)) < batches && !failed.load();) {
      std::this_thread::sleep_until(
          start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(period * b));
      std::string body = "{\"reports\":[";
      for (uint64_t i = 0; i < o.batch; ++i) {
        std::string id = std::to_string(b * o.batch + i);
        body += (i > 0 ? "," : "") + ReportJson("l-" + id, "lag-" + id, {old_fp, new_fp});
      }
      body += "]}";
      {
        std::lock_guard<std::mutex> lock(mu);  // batch b's reports are received after b-1's
        watchers.AddBatch(base + static_cast<int64_t>((b + 1) * o.batch),
                          std::chrono::steady_clock::now());
      }
      Result<double> ms = api.Call("POST", "/v1/reports:batch", kIngestToken, body);
      if (!ms.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        failure = ms.status();
        failed = true;
      }
    }
  };
  std::vector<std::thread> threads;
  for (uint64_t i = 0; i < o.connections; ++i) threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  f->ingested = batches * o.batch;
  f->ingest_rate = PerSecond(f->ingested, seconds);
  return failure;
}

Status Run(const StreamOptions& o, Figures* f) {
  Result<std::unique_ptr<TempDir>> dir = TempDir::Create(o.dir);
  ROTOR_RETURN_IF_ERROR(dir.status());
  Result<std::unique_ptr<LoopbackRotord>> rotord =
      LoopbackRotord::Start((*dir)->Sub("data"), static_cast<int>(o.subscribers) + 16);
  ROTOR_RETURN_IF_ERROR(rotord.status());
  ApiClient api((*rotord)->port());
  spdlog::info("rotor-bench stream: rotord on 127.0.0.1:{}, fleet of {}", (*rotord)->port(),
               o.fleet);
  Result<std::pair<std::string, std::string>> certs = SetUpFleet(api, o.fleet);
  ROTOR_RETURN_IF_ERROR(certs.status());
  const auto& [old_fp, new_fp] = *certs;
  uint64_t agent = 0;
  auto [cpu0, switches0] = ProcessUsage();
  ROTOR_RETURN_IF_ERROR(
      ApiLatency(api, o, old_fp, &agent, &f->api_idle, &f->query_idle, &f->command_idle));
  auto [cpu1, switches1] = ProcessUsage();
  f->cpu_ms_idle = cpu1 - cpu0;
  f->switches_idle = switches1 - switches0;
  spdlog::info("opening {} subscribers", o.subscribers);
  Result<std::unique_ptr<Watchers>> watchers = Watchers::Open((*rotord)->port(), o.subscribers);
  ROTOR_RETURN_IF_ERROR(watchers.status());
  f->connected = (*watchers)->WaitConnected(std::chrono::seconds(120));
  f->server_streams = (*rotord)->streams();
  f->threads = ProcessThreads();
  if (f->connected < o.subscribers) {
    return Status::Internal(
        fmt::format("only {} of {} subscribers connected in 120 s", f->connected, o.subscribers));
  }
  auto [cpu2, switches2] = ProcessUsage();
  double client0 = (*watchers)->client_cpu_ms();
  ROTOR_RETURN_IF_ERROR(
      ApiLatency(api, o, old_fp, &agent, &f->api_with, &f->query_with, &f->command_with));
  auto [cpu3, switches3] = ProcessUsage();
  f->cpu_ms_with = cpu3 - cpu2;
  f->client_cpu_ms_with = (*watchers)->client_cpu_ms() - client0;
  f->switches_with = switches3 - switches2;
  std::string progress;
  ROTOR_RETURN_IF_ERROR(
      api.Call("GET", std::string("/v1/rollouts/") + kBenchRollout, kAuditorToken, "", &progress)
          .status());
  int64_t base = nlohmann::json::parse(progress).value("received", int64_t{0});
  spdlog::info("ingesting {} reports/s for {} s", o.rate, o.seconds);
  ROTOR_RETURN_IF_ERROR(Ingest((*rotord)->port(), o, old_fp, new_fp, base, **watchers, f));
  std::vector<double> lag = (*watchers)->Drain(std::chrono::seconds(30), &f->unseen);
  f->lag_samples = lag.size();
  f->lag_p50 = Percentile(lag, 0.50);
  f->lag_p99 = Percentile(lag, 0.99);
  f->updates = (*watchers)->events();
  return Status::Ok();
}

double Ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

void Print(const StreamOptions& o, const Figures& f) {
  double ratio = Ratio(f.api_with, f.api_idle);
  bool met = ratio <= kApiRatioTarget && f.lag_p99 < kLagTarget && f.unseen == 0 &&
             f.ingest_rate >= 0.95 * static_cast<double>(o.rate);
  if (!o.json) {
    fmt::print("rotor-bench stream: {} subscribers ({} threads in the process), fleet of {}\n",
               f.connected, f.threads, o.fleet);
    fmt::print("  API p99 idle              {:8.2f} ms (query {:.2f}, command {:.2f})\n",
               f.api_idle, f.query_idle, f.command_idle);
    fmt::print(
        "  API p99 with subscribers  {:8.2f} ms (query {:.2f}, command {:.2f}) {:.2f}x "
        "(target <= {:.1f}x)\n",
        f.api_with, f.query_with, f.command_with, ratio, kApiRatioTarget);
    fmt::print(
        "  API phases: CPU {:.0f} / {:.0f} ms (subscriber client {:.0f}), context switches {} / "
        "{}\n",
        f.cpu_ms_idle, f.cpu_ms_with, f.client_cpu_ms_with, f.switches_idle, f.switches_with);
    fmt::print("  ingest                    {:8.0f} reports/s (target {})\n", f.ingest_rate,
               o.rate);
    fmt::print(
        "  update lag p50 / p99      {:8.1f} / {:.1f} ms over {} samples, {} unseen "
        "(target p99 < {:.0f} ms) — targets {}\n",
        f.lag_p50, f.lag_p99, f.lag_samples, f.unseen, kLagTarget, met ? "met" : "MISSED");
    return;
  }
  JsonObject targets;
  targets.Add("api_p99_ratio", kApiRatioTarget).Add("update_lag_p99_ms", kLagTarget);
  JsonObject j;
  j.Add("subscribers", static_cast<uint64_t>(f.connected))
      .Add("server_streams", static_cast<uint64_t>(f.server_streams))
      .Add("process_threads", static_cast<uint64_t>(f.threads))
      .Add("fleet", o.fleet)
      .Add("transport",
           std::string_view("in-process rotord HTTP server, 127.0.0.1 ephemeral port, fsync on"))
      .Add("api_requests", o.requests)
      .Add("api_p99_ms_idle", f.api_idle)
      .Add("api_p99_ms_with_subscribers", f.api_with)
      .Add("api_p99_ratio", ratio)
      .Add("query_p99_ms_idle", f.query_idle)
      .Add("query_p99_ms_with_subscribers", f.query_with)
      .Add("command_p99_ms_idle", f.command_idle)
      .Add("command_p99_ms_with_subscribers", f.command_with)
      .Add("api_phase_cpu_ms_idle", f.cpu_ms_idle)
      .Add("api_phase_cpu_ms_with_subscribers", f.cpu_ms_with)
      .Add("api_phase_subscriber_client_cpu_ms", f.client_cpu_ms_with)
      .Add("api_phase_context_switches_idle", static_cast<uint64_t>(f.switches_idle))
      .Add("api_phase_context_switches_with_subscribers", static_cast<uint64_t>(f.switches_with))
      .Add("ingest_target_per_s", o.rate)
      .Add("ingest_reports_per_s", f.ingest_rate)
      .Add("ingested_reports", f.ingested)
      .Add("update_lag_p50_ms", f.lag_p50)
      .Add("update_lag_p99_ms", f.lag_p99)
      .Add("lag_samples", f.lag_samples)
      .Add("lag_unseen", f.unseen)
      .Add("progress_updates_received", f.updates)
      .AddObject("targets", targets)
      .Add("targets_met", met);
  fmt::print("{}\n", j.ToString());
}

int RunStreamBench(const StreamOptions& o) {
  signal(SIGPIPE, SIG_IGN);  // the server writes to subscribers that went away
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread watchdog([&] {
    std::unique_lock<std::mutex> lock(mu);
    if (cv.wait_for(lock, std::chrono::duration<double>(o.max_seconds), [&] { return done; })) {
      return;
    }
    spdlog::error("rotor-bench stream: still running after --max-seconds {}; giving up",
                  o.max_seconds);
    std::_Exit(3);
  });
  Figures f;
  Status s = Run(o, &f);
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  cv.notify_all();
  watchdog.join();
  if (!s.ok()) {
    spdlog::error("rotor-bench stream: {}", s.ToString());
    return 1;
  }
  Print(o, f);
  return 0;
}

}  // namespace

Runner AddStreamBench(CLI::App* command) {
  auto o = std::make_shared<StreamOptions>();
  command->add_option("--subscribers", o->subscribers, "GET /v1/stream subscribers")
      ->check(CLI::Range(uint64_t{1}, uint64_t{20000}))
      ->capture_default_str();
  command->add_option("--fleet", o->fleet, "agents holding the old certificate before the rollout")
      ->capture_default_str();
  command->add_option("--requests", o->requests, "API calls per latency phase (half queries)")
      ->check(CLI::Range(uint64_t{2}, uint64_t{1000000}))
      ->capture_default_str();
  command->add_option("--rate", o->rate, "reports/s ingested during the lag phase")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--batch", o->batch, "reports per POST /v1/reports:batch")
      ->check(CLI::Range(uint64_t{1}, uint64_t{10000}))
      ->capture_default_str();
  command->add_option("--connections", o->connections, "ingest connections")
      ->check(CLI::Range(uint64_t{1}, uint64_t{64}))
      ->capture_default_str();
  command->add_option("--seconds", o->seconds, "length of the lag phase")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  command->add_option("--max-seconds", o->max_seconds, "exit 3 when the run takes longer")
      ->check(CLI::Range(1.0, 86400.0))
      ->capture_default_str();
  command->add_option("--dir", o->dir, "parent of the scratch directory (default $TMPDIR or /tmp)");
  command->add_flag("--json", o->json, "print one JSON object");
  return [o] { return RunStreamBench(*o); };
}

}  // namespace rotor::bench
