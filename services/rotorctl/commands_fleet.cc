// Fleet commands: delete-agent, gateway set/refresh, report, ingest, sweep,
// clock set. See commands.h.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <regex>

#include "base/time.h"
#include "services/rotorctl/commands.h"
#include "services/rotorctl/format.h"
#include "services/rotorctl/ingest.h"

namespace rotor::ctl {
namespace {

// "90", "90s", "15m", "36h", "7d" -> seconds; -1 when malformed.
int64_t ParseDuration(const std::string& text) {
  static const std::regex kDuration(R"(^([0-9]{1,9})([smhd]?)$)");
  std::smatch m;
  if (!std::regex_match(text, m, kDuration)) return -1;
  int64_t n = std::stoll(m[1]);
  switch (m[2].str().empty() ? 's' : m[2].str()[0]) {
    case 'm':
      return n * 60;
    case 'h':
      return n * 3600;
    case 'd':
      return n * 86400;
    default:
      return n;
  }
}

void AddDeleteAgent(CLI::App& app, Session& s, Action& action) {
  CLI::App* cmd =
      app.add_subcommand("delete-agent", "delete an agent's resource: it leaves every statistic");
  auto agent = std::make_shared<std::string>();
  auto reason = std::make_shared<std::string>();
  cmd->add_option("agent", *agent, "agent id")->required();
  cmd->add_option("--reason", *reason, "why (recorded in the event)");
  cmd->callback([&s, &action, agent, reason] {
    action = [&s, agent, reason] {
      json body = nullptr;
      if (!reason->empty()) body = {{"reason", *reason}};
      std::optional<json> reply =
          s.Request("DELETE", client::PathWith("/v1/agents/", *agent), body);
      return PrintCommandReply(s, reply, "deleted the resource of agent " + *agent);
    };
  });
}

void AddGateway(CLI::App& app, Session& s, Action& action) {
  CLI::App* gateway = app.add_subcommand("gateway", "Internet gateways: auto-refresh and refresh");
  gateway->require_subcommand(1);
  CLI::App* set = gateway->add_subcommand("set", "set a gateway's auto-refresh");
  auto id = std::make_shared<std::string>();
  auto on = std::make_shared<std::string>();
  set->add_option("gateway", *id, "gateway id")->required();
  set->add_option("--auto-refresh", *on, "on or off")
      ->required()
      ->check(CLI::IsMember({"on", "off"}));
  set->callback([&s, &action, id, on] {
    action = [&s, id, on] {
      std::optional<json> reply =
          s.Request("PUT", client::PathWith("/v1/gateways/", *id), {{"auto_refresh", *on == "on"}});
      return PrintCommandReply(s, reply, "gateway " + *id + " auto-refresh " + *on);
    };
  });
  CLI::App* refresh = gateway->add_subcommand(
      "refresh", "record a manual refresh of a gateway (satisfies pending refresh steps)");
  auto rollout = std::make_shared<std::string>();
  refresh->add_option("gateway", *id, "gateway id")->required();
  refresh->add_option("--rollout", *rollout, "the rollout whose step it satisfies (default: all)");
  refresh->callback([&s, &action, id, rollout] {
    action = [&s, id, rollout] {
      json body = json::object();
      if (!rollout->empty()) body["rollout_id"] = *rollout;
      std::optional<json> reply =
          s.Request("POST", client::PathWith("/v1/gateways/", *id, "/refresh"), body);
      return PrintCommandReply(s, reply, "refreshed gateway " + *id);
    };
  });
}

void AddReport(CLI::App& app, Session& s, Action& action) {
  CLI::App* cmd = app.add_subcommand("report", "send one agent report (AgentReport JSON)");
  auto file = std::make_shared<std::string>();
  cmd->add_option("file", *file, "the report, JSON ('-' for stdin)")->required();
  cmd->callback([&s, &action, file] {
    action = [&s, file] {
      Result<std::string> text = ReadInput(*file);
      if (!text.ok()) return s.FailStatus(text.status());
      std::optional<app::ApiResponse> r = s.RequestRaw("POST", "/v1/reports", *text);
      if (!r) return s.exit_code();
      json reply = json::parse(r->body, nullptr, false);
      return PrintCommandReply(s, reply, "report");
    };
  });
}

int RunIngest(Session& s, const std::string& file, size_t batch) {
  std::ifstream f;
  std::istream* in = &std::cin;
  if (file != "-") {
    f.open(file, std::ios::binary);
    if (!f) return s.FailStatus(Status::IoError("cannot read " + file));
    in = &f;
  }
  IngestCounts counts;
  bool ok = IngestReports(s, *in, batch, counts);
  if (s.json_output()) {
    json rejected = json::array();
    for (const auto& r : counts.rejected) {
      rejected.push_back({{"report_id", r.report_id}, {"reason", r.reason}});
    }
    Session::PrintJson({{"lines", counts.lines},
                        {"ingested", counts.ingested},
                        {"duplicates", counts.duplicates},
                        {"rejected", rejected}});
  } else {
    std::printf("ingested %llu, duplicates %llu, rejected %zu (of %llu reports)\n",
                static_cast<unsigned long long>(counts.ingested),
                static_cast<unsigned long long>(counts.duplicates), counts.rejected.size(),
                static_cast<unsigned long long>(counts.lines));
    for (const auto& r : counts.rejected) {
      std::printf("  rejected %s: %s\n", r.report_id.c_str(), OneLine(r.reason).c_str());
    }
  }
  if (!ok) return s.exit_code();
  return counts.rejected.empty() ? kExitOk : kExitRefused;
}

void AddIngest(CLI::App& app, Session& s, Action& action) {
  CLI::App* cmd = app.add_subcommand(
      "ingest", "ingest agent reports in bulk: newline-delimited AgentReport JSON");
  auto file = std::make_shared<std::string>();
  auto batch = std::make_shared<size_t>(1000);
  cmd->add_option("file", *file, "the reports, one JSON object a line ('-' for stdin)")->required();
  cmd->add_option("--batch", *batch, "reports per request")->check(CLI::Range(1, 100000));
  cmd->callback([&s, &action, file, batch] {
    action = [&s, file, batch] { return RunIngest(s, *file, *batch); };
  });
}

void AddSweep(CLI::App& app, Session& s, Action& action) {
  CLI::App* cmd = app.add_subcommand("sweep", "flag stale agents now");
  auto threshold = std::make_shared<std::string>();
  cmd->add_option("--threshold", *threshold,
                  "not seen for longer than this is stale: 90s, 15m, 36h, 7d (default: "
                  "the server's)");
  cmd->callback([&s, &action, threshold] {
    action = [&s, threshold] {
      json body = json::object();
      if (!threshold->empty()) {
        int64_t seconds = ParseDuration(*threshold);
        if (seconds <= 0) {
          return s.FailUsage("--threshold " + *threshold +
                             " is not a positive duration such as 90s, 15m, 36h or 7d");
        }
        body["threshold_seconds"] = seconds;
      }
      std::optional<json> reply = s.Request("POST", "/v1/sweeps/stale", body);
      if (reply && !s.json_output()) {
        std::printf("flagged %lld agent(s) stale (threshold %s)\n",
                    static_cast<long long>(Num(*reply, "flagged")),
                    FormatDuration(Num(*reply, "threshold_seconds")).c_str());
        return 0;
      }
      return PrintCommandReply(s, reply, "sweep");
    };
  });
}

void AddClock(CLI::App& app, Session& s, Action& action) {
  CLI::App* clock = app.add_subcommand("clock", "the daemon's virtual clock (--virtual-clock)");
  clock->require_subcommand(1);
  CLI::App* set = clock->add_subcommand("set", "move the virtual clock (admin only)");
  auto now = std::make_shared<std::string>();
  set->add_option("time", *now, "RFC 3339 time, e.g. 2026-11-03T12:00:00Z")->required();
  set->callback([&s, &action, now] {
    action = [&s, now] {
      Result<Time> t = ParseTime(*now);
      if (!t.ok()) return s.FailUsage("clock set: " + t.status().message());
      std::optional<json> reply = s.Request("POST", "/v1/clock", {{"now", FormatTime(*t)}});
      if (!reply) return s.exit_code();
      if (s.json_output()) {
        Session::PrintJson(*reply);
      } else {
        std::string shown = Str(*reply, "now");
        std::printf("clock set to %s\n", (shown.empty() ? FormatTime(*t) : shown).c_str());
      }
      return 0;
    };
  });
}

}  // namespace

void AddFleetCommands(CLI::App& app, Session& s, Action& action) {
  AddDeleteAgent(app, s, action);
  AddGateway(app, s, action);
  AddReport(app, s, action);
  AddIngest(app, s, action);
  AddSweep(app, s, action);
  AddClock(app, s, action);
}

}  // namespace rotor::ctl
