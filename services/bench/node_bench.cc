// `rotor-bench node`: one real rotord process at fleet scale (issue #17).
//
// rotord runs as a child process (the binary beside rotor-bench, or
// --rotord), plain HTTP on 127.0.0.1 and a free port, fsync on, with a CEM
// issuing CA; its data directories live under a scratch directory of --dir.
// Phases:
//   1. small fleet (--small-agents): a fleet built through POST
//      /v1/reports:batch (node_fleet.h), a replacement and a fleet-wide CEM
//      agent renewal. Its rotord keeps running.
//   2. large fleet (--agents), a second rotord and data directory: its RSS
//      empty; the same fleet, with the WAL bytes (*.log of DATA/events and
//      DATA/projections) after the ingest and the peak RSS (VmHWM) once idle
//      after it.
//   3. once both are idle (their CPU time still: the compactions and
//      snapshots that follow a bulk ingest have settled), the request
//      latencies (CSR, report, refused finalize) of both fleets, timed
//      interleaved: each request goes to both rotords in turn, so that the
//      machine's other work falls on both alike. Both stopped.
//   4. restarts of the large fleet: SIGTERM and start (startup_s, the RSS
//      when it is ready, then the steady RSS once it is idle), SIGKILL and
//      start (startup_after_sigkill_s), and with --variant-args once more
//      with those extra flags (e.g. to compare a start without a snapshot).
//   5. a longer log: every agent of the large fleet reports --log-rounds - 1
//      more times; SIGTERM and a timed start (startup_long_s), so that the
//      start is shown at two lengths of the log.
// Every start is timed from fork to GET /healthz answering 200.
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <sstream>

#include "services/bench/bench.h"
#include "services/bench/bench_util.h"
#include "services/bench/node_fleet.h"
#include "services/bench/rotord_child.h"

namespace rotor::bench {
namespace {

struct NodeOptions {
  uint64_t agents = 1000000;
  uint64_t small_agents = 10000;
  uint64_t requests = 2000;
  uint64_t log_rounds = 3;
  std::string rotord;
  std::string variant_args;
  std::string dir;
  bool keep = false;
  bool json = false;
};

// Issue #17's targets at 1,000,000 agents.
constexpr double kStartupTarget = 2.0;  // s
constexpr double kRssPerAgentTarget = 150;
constexpr double kRssPeakPerAgentTarget = 300;
constexpr double kLatencyRatioTarget = 1.5;

// rotord counts as idle below this share of one core over two such windows.
constexpr double kIdleShare = 0.05;
constexpr std::chrono::milliseconds kIdleWindow{500};
constexpr std::chrono::seconds kSteadyIdleWindow{1};  // two quiet ones: two idle seconds
constexpr std::chrono::seconds kSettleTimeout{300};

struct Figures {
  uint64_t events = 0;
  double ingest_s = 0;
  double startup_empty_s = 0, startup_listen_s = 0, startup_s = 0, startup_after_sigkill_s = 0;
  double startup_variant_s = NAN;
  uint64_t events_long = 0;
  double startup_long_s = NAN;
  uint64_t rss_empty = 0, rss_peak = 0, rss = 0, rss_at_ready = 0, wal_bytes = 0;
  RequestLatencies small, large;
  double settle_small_s = 0, settle_s = 0;  // waited for rotord to be idle before timing
  std::string snapshot_flags;               // rotord --help lines that mention "snapshot"
};

// The lines of `rotord --help` that mention snapshots, joined with "; ".
std::string SnapshotFlags(const std::string& rotord) {
  std::string command = "'" + rotord + "' --help 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "";
  std::string out;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof(buffer), pipe)) > 0;) out.append(buffer, n);
  pclose(pipe);
  std::istringstream in(out);
  std::string found;
  for (std::string line; std::getline(in, line);) {
    if (line.find("snapshot") == std::string::npos) continue;
    line.erase(0, line.find_first_not_of(' '));
    found += (found.empty() ? "" : "; ") + line;
  }
  return found;
}

std::vector<std::string> SplitWords(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// A fleet's rotord and a client of it (closed before rotord is stopped:
// rotord waits for open connections when it stops).
struct FleetProcess {
  std::unique_ptr<RotordChild> rotord;
  std::unique_ptr<ApiClient> api;
  FleetFingerprints fps;

  Status Stop() {
    api.reset();
    return rotord->Terminate();
  }
};

// Waits until `fleet`'s rotord is idle; returns how long that took.
Result<double> Settle(const FleetProcess& fleet, const char* name) {
  Result<double> settled = fleet.rotord->WaitUntilIdle(kIdleShare, kIdleWindow, kSettleTimeout);
  if (!settled.ok()) return settled.status();
  spdlog::info("rotor-bench node: {} fleet's rotord idle after {:.1f} s", name, *settled);
  return settled;
}

class Node {
 public:
  Node(const NodeOptions& o, const TempDir& dir, const NodeFiles& files)
      : o_(o), dir_(dir), files_(files) {}

  // Starts rotord on data directory `name` with `extra` flags.
  Result<std::unique_ptr<RotordChild>> Start(const std::string& name,
                                             const std::vector<std::string>& extra = {}) const {
    return RotordChild::Start(o_.rotord, NodeRotordArgs(dir_.Sub(name), files_, extra),
                              dir_.Sub(name + ".log"));
  }

  // Phases 1 to 3: both fleets built, their requests timed interleaved.
  Status Fleets(Figures* f);
  // Starts rotord on data directory `name` and builds a fleet of `agents`
  // on it; for the large fleet (`large` not null) also its empty start and
  // RSS, ingest time and WAL bytes.
  Status Build(const std::string& name, uint64_t agents, FleetProcess* fleet, Figures* large);
  Status Restarts(Figures* f);
  // Every agent reports --log-rounds - 1 more times; then a timed restart.
  Status LongerLog(Figures* f);

 private:
  const NodeOptions& o_;
  const TempDir& dir_;
  const NodeFiles& files_;
  FleetFingerprints large_fps_;  // the large fleet's certificates
};

Status Node::Build(const std::string& name, uint64_t agents, FleetProcess* fleet, Figures* large) {
  Result<std::unique_ptr<RotordChild>> started = Start(name);
  ROTOR_RETURN_IF_ERROR(started.status());
  fleet->rotord = std::move(*started);
  fleet->api = std::make_unique<ApiClient>(fleet->rotord->port());
  if (large != nullptr) {
    large->startup_empty_s = fleet->rotord->ready_seconds();
    Result<uint64_t> empty = fleet->rotord->StatusBytes("VmRSS");
    ROTOR_RETURN_IF_ERROR(empty.status());
    large->rss_empty = *empty;
  }
  spdlog::info("rotor-bench node: {} fleet of {} on 127.0.0.1:{}", name, agents,
               fleet->rotord->port());
  Stopwatch ingest;
  Result<FleetFingerprints> fps = BuildFleet(*fleet->api, agents);
  ROTOR_RETURN_IF_ERROR(fps.status());
  fleet->fps = *fps;
  if (large == nullptr) return Status::Ok();
  large_fps_ = *fps;
  large->ingest_s = ingest.Seconds();
  large->wal_bytes =
      WalBytes(dir_.Sub(name + "/events")) + WalBytes(dir_.Sub(name + "/projections"));
  return Status::Ok();
}

Status Node::Fleets(Figures* f) {
  FleetProcess small, large;
  ROTOR_RETURN_IF_ERROR(Build("small", o_.small_agents, &small, nullptr));
  // Background work that follows a bulk ingest on any node (RocksDB
  // compactions, snapshots) settles before the requests are timed, at both
  // sizes alike (docs/performance.md).
  Result<double> settled = Settle(small, "small");
  ROTOR_RETURN_IF_ERROR(settled.status());
  f->settle_small_s = *settled;
  ROTOR_RETURN_IF_ERROR(Build("large", o_.agents, &large, f));
  settled = Settle(large, "large");
  ROTOR_RETURN_IF_ERROR(settled.status());
  f->settle_s = *settled;
  // The peak includes what the ingest set off (a snapshot due at the
  // ingest's last events is taken just after it).
  Result<uint64_t> peak = large.rotord->StatusBytes("VmHWM");
  ROTOR_RETURN_IF_ERROR(peak.status());
  f->rss_peak = *peak;
  ROTOR_RETURN_IF_ERROR(Settle(small, "small").status());  // still idle, or idle again
  Result<std::vector<RequestLatencies>> measured =
      MeasureRequests({{small.api.get(), small.fps}, {large.api.get(), large.fps}}, o_.requests);
  ROTOR_RETURN_IF_ERROR(measured.status());
  f->small = (*measured)[0];
  f->large = (*measured)[1];
  Result<uint64_t> head = LogHead(*large.api);
  ROTOR_RETURN_IF_ERROR(head.status());
  f->events = *head;
  ROTOR_RETURN_IF_ERROR(small.Stop());
  return large.Stop();
}

Status Node::Restarts(Figures* f) {
  spdlog::info("rotor-bench node: restarting after SIGTERM");
  Result<std::unique_ptr<RotordChild>> rotord = Start("large");
  ROTOR_RETURN_IF_ERROR(rotord.status());
  f->startup_s = (*rotord)->ready_seconds();
  f->startup_listen_s = (*rotord)->listen_seconds();
  ROTOR_RETURN_IF_ERROR(
      ApiClient((*rotord)->port())
          .Call("GET", std::string("/v1/rollouts/") + kBenchRollout, kAuditorToken)
          .status());
  Result<uint64_t> rss = (*rotord)->StatusBytes("VmRSS");
  ROTOR_RETURN_IF_ERROR(rss.status());
  f->rss_at_ready = *rss;
  // Steady: once the started node has been idle for two seconds. jemalloc
  // gives back the pages the start freed on its own timer (within about a
  // second), not at once.
  ROTOR_RETURN_IF_ERROR(
      (*rotord)->WaitUntilIdle(kIdleShare, kSteadyIdleWindow, kSettleTimeout).status());
  rss = (*rotord)->StatusBytes("VmRSS");
  ROTOR_RETURN_IF_ERROR(rss.status());
  f->rss = *rss;
  (*rotord)->Kill();
  spdlog::info("rotor-bench node: restarting after SIGKILL");
  rotord = Start("large");
  ROTOR_RETURN_IF_ERROR(rotord.status());
  f->startup_after_sigkill_s = (*rotord)->ready_seconds();
  ROTOR_RETURN_IF_ERROR((*rotord)->Terminate());
  if (o_.variant_args.empty()) return Status::Ok();
  spdlog::info("rotor-bench node: restarting with {}", o_.variant_args);
  rotord = Start("large", SplitWords(o_.variant_args));
  ROTOR_RETURN_IF_ERROR(rotord.status());
  f->startup_variant_s = (*rotord)->ready_seconds();
  return (*rotord)->Terminate();
}

Status Node::LongerLog(Figures* f) {
  if (o_.log_rounds < 2) return Status::Ok();
  Result<std::unique_ptr<RotordChild>> rotord = Start("large");
  ROTOR_RETURN_IF_ERROR(rotord.status());
  {
    ApiClient api((*rotord)->port());  // closed before SIGTERM: rotord waits for it
    for (uint64_t round = 1; round < o_.log_rounds; ++round) {
      spdlog::info("rotor-bench node: report round {} of {}", round + 1, o_.log_rounds);
      ROTOR_RETURN_IF_ERROR(ReportFleet(api, o_.agents, large_fps_.old_fp, true, round));
    }
    Result<uint64_t> head = LogHead(api);
    ROTOR_RETURN_IF_ERROR(head.status());
    f->events_long = *head;
  }
  ROTOR_RETURN_IF_ERROR((*rotord)->Terminate());
  spdlog::info("rotor-bench node: restarting with {} events", f->events_long);
  rotord = Start("large");
  ROTOR_RETURN_IF_ERROR(rotord.status());
  f->startup_long_s = (*rotord)->ready_seconds();
  return (*rotord)->Terminate();
}

Status Run(const NodeOptions& o, Figures* f) {
  f->snapshot_flags = SnapshotFlags(o.rotord);
  Result<std::unique_ptr<TempDir>> dir = TempDir::Create(o.dir);
  ROTOR_RETURN_IF_ERROR(dir.status());
  if (o.keep) (*dir)->Keep();
  spdlog::info("rotor-bench node: {} in {}", o.rotord, (*dir)->path());
  Result<NodeFiles> files = MakeNodeFiles((*dir)->path());
  ROTOR_RETURN_IF_ERROR(files.status());
  Node node(o, **dir, *files);
  ROTOR_RETURN_IF_ERROR(node.Fleets(f));
  ROTOR_RETURN_IF_ERROR(node.Restarts(f));
  return node.LongerLog(f);
}

double Ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

double PerAgent(uint64_t bytes, uint64_t agents) {
  return agents > 0 ? static_cast<double>(bytes) / static_cast<double>(agents) : 0.0;
}

bool TargetsMet(const NodeOptions& o, const Figures& f) {
  return f.startup_s < kStartupTarget && PerAgent(f.rss, o.agents) <= kRssPerAgentTarget &&
         PerAgent(f.rss_peak, o.agents) <= kRssPeakPerAgentTarget &&
         Ratio(f.large.csr_p99, f.small.csr_p99) <= kLatencyRatioTarget &&
         Ratio(f.large.report_p99, f.small.report_p99) <= kLatencyRatioTarget;
}

void PrintText(const NodeOptions& o, const Figures& f) {
  fmt::print("rotor-bench node: {} agents ({} events), small fleet {}, {} requests each\n",
             o.agents, f.events, o.small_agents, o.requests);
  fmt::print("  ingest                    {:8.1f} s ({:.0f} reports/s)\n", f.ingest_s,
             PerSecond(o.agents, f.ingest_s));
  fmt::print(
      "  startup                   {:8.2f} s (listening {:.2f} s; empty {:.2f} s; target < {:.0f} "
      "s)\n",
      f.startup_s, f.startup_listen_s, f.startup_empty_s, kStartupTarget);
  fmt::print("  startup after SIGKILL     {:8.2f} s\n", f.startup_after_sigkill_s);
  if (o.log_rounds > 1) {
    fmt::print("  startup, longer log       {:8.2f} s ({} events: {} reports per agent)\n",
               f.startup_long_s, f.events_long, o.log_rounds);
  }
  if (!o.variant_args.empty()) {
    fmt::print("  startup with {}: {:.2f} s\n", o.variant_args, f.startup_variant_s);
  }
  if (f.snapshot_flags.empty()) {
    fmt::print("  rotord snapshot flags     none in rotord --help\n");
  } else {
    fmt::print("  rotord snapshot flags     {}{}\n", f.snapshot_flags,
               o.variant_args.empty() ? " (time a start without them with --variant-args)" : "");
  }
  fmt::print(
      "  RSS steady                {:8.1f} bytes/agent ({} bytes; {} when it was ready; empty "
      "rotord {} bytes; target <= {:.0f})\n",
      PerAgent(f.rss, o.agents), f.rss, f.rss_at_ready, f.rss_empty, kRssPerAgentTarget);
  fmt::print("  RSS peak (ingest)         {:8.1f} bytes/agent ({} bytes; target <= {:.0f})\n",
             PerAgent(f.rss_peak, o.agents), f.rss_peak, kRssPeakPerAgentTarget);
  fmt::print(
      "  CSR p99                   {:8.2f} ms ({:.2f} ms at {}: {:.2f}x, target <= {:.1f}x)\n",
      f.large.csr_p99, f.small.csr_p99, o.small_agents, Ratio(f.large.csr_p99, f.small.csr_p99),
      kLatencyRatioTarget);
  fmt::print(
      "  report p99                {:8.2f} ms ({:.2f} ms at {}: {:.2f}x, target <= {:.1f}x)\n",
      f.large.report_p99, f.small.report_p99, o.small_agents,
      Ratio(f.large.report_p99, f.small.report_p99), kLatencyRatioTarget);
  fmt::print("  finalize refusal          {:8.2f} ms ({:.2f} ms at {})\n",
             f.large.finalize_refusal_ms, f.small.finalize_refusal_ms, o.small_agents);
  fmt::print("  idle before timing after  {:8.1f} s ({:.1f} s at {})\n", f.settle_s,
             f.settle_small_s, o.small_agents);
  fmt::print("  WAL after the ingest      {:8} bytes — targets {}\n", f.wal_bytes,
             TargetsMet(o, f) ? "met" : "MISSED");
}

void PrintJson(const NodeOptions& o, const Figures& f) {
  JsonObject targets;
  targets.Add("startup_s", kStartupTarget)
      .Add("rss_bytes_per_agent", kRssPerAgentTarget)
      .Add("rss_peak_bytes_per_agent", kRssPeakPerAgentTarget)
      .Add("p99_ratio", kLatencyRatioTarget);
  JsonObject j;
  j.Add("agents", o.agents)
      .Add("small_agents", o.small_agents)
      .Add("events", f.events)
      .Add("transport", std::string_view("rotord child process, plain HTTP on 127.0.0.1, fsync on"))
      .Add("ingest_s", f.ingest_s)
      .Add("ingest_reports_per_s", PerSecond(o.agents, f.ingest_s))
      .Add("startup_s", f.startup_s)
      .Add("startup_listen_s", f.startup_listen_s)
      .Add("startup_empty_s", f.startup_empty_s)
      .Add("startup_after_sigkill_s", f.startup_after_sigkill_s)
      .Add("log_rounds", o.log_rounds)
      .Add("events_long", f.events_long)
      .Add("startup_long_s", f.startup_long_s)
      .Add("startup_variant_args", o.variant_args)
      .Add("startup_variant_s", f.startup_variant_s)
      .Add("rotord_snapshot_flags", f.snapshot_flags)
      .Add("rss_bytes", f.rss)
      .Add("rss_empty_bytes", f.rss_empty)
      .Add("rss_bytes_per_agent", PerAgent(f.rss, o.agents))
      .Add("rss_at_ready_bytes", f.rss_at_ready)
      .Add("rss_peak_bytes", f.rss_peak)
      .Add("rss_peak_bytes_per_agent", PerAgent(f.rss_peak, o.agents))
      .Add("requests", o.requests)
      .Add("csr_p99_ms_small_fleet", f.small.csr_p99)
      .Add("csr_p99_ms", f.large.csr_p99)
      .Add("csr_p99_ratio", Ratio(f.large.csr_p99, f.small.csr_p99))
      .Add("report_p99_ms_small_fleet", f.small.report_p99)
      .Add("report_p99_ms", f.large.report_p99)
      .Add("report_p99_ratio", Ratio(f.large.report_p99, f.small.report_p99))
      .Add("finalize_refusal_ms_small_fleet", f.small.finalize_refusal_ms)
      .Add("finalize_refusal_ms", f.large.finalize_refusal_ms)
      .Add("settle_s_small_fleet", f.settle_small_s)
      .Add("settle_s", f.settle_s)
      .Add("wal_bytes", f.wal_bytes)
      .AddObject("targets", targets)
      .Add("targets_met", TargetsMet(o, f));
  fmt::print("{}\n", j.ToString());
}

int RunNodeBench(NodeOptions o) {
  signal(SIGPIPE, SIG_IGN);  // a request to a rotord that went away
  if (o.rotord.empty()) o.rotord = RotordBesideSelf();
  if (2 * o.requests > o.small_agents || o.small_agents > o.agents) {
    spdlog::error(
        "rotor-bench node: --requests {} needs --small-agents of at least {} (got {}), and "
        "--agents at least --small-agents (got {})",
        o.requests, 2 * o.requests, o.small_agents, o.agents);
    return 2;
  }
  Figures f;
  Status s = Run(o, &f);
  if (!s.ok()) {
    spdlog::error("rotor-bench node: {}", s.ToString());
    return 1;
  }
  if (o.json) {
    PrintJson(o, f);
  } else {
    PrintText(o, f);
  }
  return 0;
}

}  // namespace

Runner AddNodeBench(CLI::App* command) {
  auto o = std::make_shared<NodeOptions>();
  command->add_option("--agents", o->agents, "agents of the large fleet, one report each")
      ->check(CLI::Range(uint64_t{2}, uint64_t{100000000}))
      ->capture_default_str();
  command->add_option("--small-agents", o->small_agents, "agents of the small fleet")
      ->check(CLI::Range(uint64_t{2}, uint64_t{100000000}))
      ->capture_default_str();
  command->add_option("--requests", o->requests, "CSRs and single reports timed at each size")
      ->check(CLI::Range(uint64_t{1}, uint64_t{100000}))
      ->capture_default_str();
  command
      ->add_option("--log-rounds", o->log_rounds,
                   "reports per agent in the longer log whose start is timed too (1: none)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1000}))
      ->capture_default_str();
  command->add_option("--rotord", o->rotord, "the rotord binary (default: beside rotor-bench)");
  command->add_option("--variant-args", o->variant_args,
                      "extra rotord flags for one more timed start of the large fleet (e.g. the "
                      "flag that disables snapshots)");
  command->add_option("--dir", o->dir, "parent of the scratch directory (default $TMPDIR or /tmp)");
  command->add_flag("--keep", o->keep, "keep the scratch directory (data and rotord logs)");
  command->add_flag("--json", o->json, "print one JSON object");
  return [o] { return RunNodeBench(*o); };
}

}  // namespace rotor::bench
