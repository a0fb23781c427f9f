// rotor-sim: the fleet simulator. Drives whole rollouts through Rotor's API
// on virtual time — against a running rotord started with --virtual-clock
// (--server URL --token T), or a data directory in-process (--data DIR).
// By default the article's fleet: 2393 agents that hold the old certificate
// and 107 that do not. Deterministic for a given --seed.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>

#include "services/client/http_transport.h"
#include "services/client/local_transport.h"
#include "services/sim/scenarios.h"

namespace rotor::sim {
namespace {

struct Options {
  std::string server, token, token_file, ca_file, data_dir;
  std::string scenario = "replace";
  std::string start;  // empty: 2026-11-01, or after the server's clock
  FleetOptions fleet;
  double report_hours = 8;
  double stale_hours = 48;
  int tick_minutes = 60;
  int max_days = 30;
};

Result<std::unique_ptr<client::Transport>> OpenTransport(const Options& o) {
  if (!o.data_dir.empty()) {
    if (!o.server.empty()) return Status::InvalidArgument("--data and --server are exclusive");
    auto local = client::LocalTransport::Open(client::LocalOptions{o.data_dir, "rotor-sim"});
    if (!local.ok()) return local.status();
    return std::unique_ptr<client::Transport>(std::move(local).value());
  }
  if (o.server.empty()) {
    return Status::InvalidArgument("no server: pass --server URL --token T, or --data DIR");
  }
  client::HttpOptions http{o.server, o.token, o.ca_file, {}, {}};
  if (!o.token_file.empty()) {
    std::ifstream in(o.token_file);
    if (!(in >> http.token)) {
      return Status::InvalidArgument("cannot read a token from " + o.token_file);
    }
  }
  auto opened = client::HttpTransport::Create(std::move(http));
  if (!opened.ok()) return opened.status();
  return std::unique_ptr<client::Transport>(std::move(opened).value());
}

Status RunScenarios(Simulation& sim, ScenarioState& state, const std::string& scenario) {
  const Micros gap = std::chrono::hours(24);
  bool first = true;
  for (const char* name : {"replace", "renew", "prestaged"}) {
    if (scenario != "all" && scenario != name) continue;
    if (!first) ROTOR_RETURN_IF_ERROR(sim.AdvanceTo(sim.now() + gap));
    first = false;
    std::string n = name;
    if (n == "replace") ROTOR_RETURN_IF_ERROR(RunReplace(sim, state));
    if (n == "renew") ROTOR_RETURN_IF_ERROR(RunRenew(sim, state));
    if (n == "prestaged") ROTOR_RETURN_IF_ERROR(RunPrestaged(sim, state));
  }
  return PrintFinalState(sim);
}

// The first rollout's time: --start, or 2026-11-01, or (when the server's
// virtual clock is past that) the second midnight after the clock, so that
// the fleet's inventory day fits after it. Errors: kInvalidArgument for a bad
// or too early --start; the server's error when its clock is not virtual.
Result<Time> ChooseStart(SimApi& api, const std::string& given) {
  Result<json> clock = api.Get("/v1/clock");
  if (!clock.ok()) {
    if (clock.status().code() == StatusCode::kNotFound) {
      return Status::FailedPrecondition(
          "the server has no virtual clock; start rotord with --virtual-clock");
    }
    return clock.status();
  }
  Result<Time> now = ParseTime(JsonStr(*clock, "now"));
  if (!now.ok()) return now.status().WithContext("GET /v1/clock");
  const auto day = std::chrono::days(1);
  if (!given.empty()) {
    Result<Time> start = ParseTime(given);
    if (!start.ok()) return start.status().WithContext("--start");
    if (*start - day < *now) {
      return Status::InvalidArgument("--start " + given + " is less than a day after the " +
                                     "server's clock (" + FormatTime(*now) +
                                     "); virtual time never goes back");
    }
    return *start;
  }
  Time start = *ParseTime("2026-11-01T00:00:00Z");
  if (start - day < *now) start = std::chrono::floor<std::chrono::days>(*now) + 2 * day;
  return start;
}

int Run(Options& o) {
  o.fleet.report_interval = Micros(static_cast<int64_t>(o.report_hours * 3600e6));
  Result<std::unique_ptr<client::Transport>> transport = OpenTransport(o);
  if (!transport.ok()) {
    std::fprintf(stderr, "rotor-sim: %s\n", transport.status().message().c_str());
    return transport.status().code() == StatusCode::kInvalidArgument ? 1 : 3;
  }
  SimApi api(**transport);
  Result<Time> start = ChooseStart(api, o.start);
  if (!start.ok()) {
    std::fprintf(stderr, "rotor-sim: %s\n", start.status().ToString().c_str());
    return start.status().code() == StatusCode::kInvalidArgument ? 1 : 3;
  }
  std::string date = FormatTime(*start).substr(0, 10);
  date.erase(std::remove(date.begin(), date.end(), '-'), date.end());
  ScenarioState state;
  state.run_tag = "s" + std::to_string(o.fleet.seed) + "-" + date;
  state.not_before = *start - std::chrono::days(1);

  SimOptions sim_options;
  sim_options.start = state.not_before;
  sim_options.tick = std::chrono::minutes(o.tick_minutes);
  sim_options.stale_threshold = Micros(static_cast<int64_t>(o.stale_hours * 3600e6));
  sim_options.max_days = o.max_days;
  Fleet fleet(o.fleet, state.not_before, state.run_tag);
  Simulation sim(api, fleet, sim_options);
  std::printf("rotor-sim: scenario %s against %s, seed %llu, virtual time from %s\n",
              o.scenario.c_str(), (*transport)->Describe().c_str(),
              static_cast<unsigned long long>(o.fleet.seed), FormatTime(state.not_before).c_str());
  Status s = SetUpFleet(sim, state, *start);
  if (s.ok()) s = RunScenarios(sim, state, o.scenario);
  if (!s.ok()) {
    std::fprintf(stderr, "rotor-sim: %s\n", s.ToString().c_str());
    return 3;
  }
  return 0;
}

}  // namespace
}  // namespace rotor::sim

int main(int argc, char** argv) {
  // With --data the engine runs in-process; its logs (stderr) only when asked.
  spdlog::set_default_logger(spdlog::stderr_color_mt("rotor-sim"));
  const char* level = std::getenv("ROTOR_LOG_LEVEL");
  spdlog::set_level(level != nullptr ? spdlog::level::from_str(level) : spdlog::level::off);
  CLI::App app{"rotor-sim: drive certificate rollouts for a simulated fleet on virtual time",
               "rotor-sim"};
  rotor::sim::Options o;
  app.add_option("--server", o.server, "rotord's URL (started with --virtual-clock)")
      ->envname("ROTOR_SERVER");
  app.add_option("--token", o.token, "an admin token")->envname("ROTOR_TOKEN");
  app.add_option("--token-file", o.token_file, "file holding the token");
  app.add_option("--ca-file", o.ca_file, "HTTPS: the CA certificate of the server");
  app.add_option("--data", o.data_dir, "run in-process on this data directory instead");
  app.add_option("--scenario", o.scenario, "replace, renew, prestaged or all")
      ->check(CLI::IsMember({"replace", "renew", "prestaged", "all"}));
  app.add_option("--seed", o.fleet.seed, "random seed (same seed, same run)");
  app.add_option("--start", o.start,
                 "virtual time of the first rollout, RFC 3339 (default 2026-11-01, or the "
                 "second midnight after the server's clock)");
  app.add_option("--agents", o.fleet.holders, "agents that hold the old certificate")
      ->check(CLI::Range(1, 10000000));
  app.add_option("--without-old", o.fleet.others, "agents that do not")
      ->check(CLI::Range(0, 10000000));
  app.add_option("--gateways", o.fleet.gateways,
                 "Internet gateways (every second one without "
                 "auto-refresh)")
      ->check(CLI::Range(0, 1000));
  app.add_option("--sites", o.fleet.sites, "sites")->check(CLI::Range(1, 10000));
  app.add_option("--cloud-share", o.fleet.cloud_share, "share of cloud-enabled agents")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--silent-share", o.fleet.silent_share, "share that goes silent")
      ->check(CLI::Range(0.0, 0.5));
  app.add_option("--duplicate-share", o.fleet.duplicate_share, "share of reports sent twice")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--out-of-order-share", o.fleet.out_of_order_share,
                 "share of reports delivered after the next one")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--report-hours", o.report_hours, "hours between an agent's reports")
      ->check(CLI::Range(0.25, 168.0));
  app.add_option("--jitter", o.fleet.jitter, "report interval jitter (share)")
      ->check(CLI::Range(0.0, 0.9));
  app.add_option("--stale-hours", o.stale_hours, "silent this long is stale")
      ->check(CLI::Range(1.0, 10000.0));
  app.add_option("--tick-minutes", o.tick_minutes, "virtual time per step")
      ->check(CLI::Range(1, 1440));
  app.add_option("--max-days", o.max_days, "fail a rollout that takes longer")
      ->check(CLI::Range(1, 3650));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "rotor-sim: %s (see rotor-sim --help)\n", e.what());
    return 1;
  }
  return rotor::sim::Run(o);
}
