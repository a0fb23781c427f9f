// Read commands: status, rollouts, stale, agents, certificates, timeline.
// Each prints the API's JSON with --json. See commands.h.
#include <cstdio>

#include "services/rotorctl/commands.h"
#include "services/rotorctl/format.h"

namespace rotor::ctl {
namespace {

// Registers a read command whose text output is `human(reply)`.
CLI::App* AddRead(CLI::App& app, Session& s, Action& action, const std::string& name,
                  const std::string& help,
                  const std::function<std::optional<json>(Session&)>& fetch,
                  const std::function<void(const json&)>& human) {
  CLI::App* cmd = app.add_subcommand(name, help);
  cmd->callback([&s, &action, fetch, human] {
    action = [&s, fetch, human] {
      std::optional<json> reply = fetch(s);
      if (!reply) return s.exit_code();
      if (s.json_output()) {
        Session::PrintJson(*reply);
      } else {
        human(*reply);
      }
      return 0;
    };
  });
  return cmd;
}

void PrintRollouts(const json& reply) {
  const json& rollouts = Array(reply, {"rollouts"});
  if (rollouts.empty()) {
    std::printf("no rollouts\n");
    return;
  }
  for (const json& p : rollouts) std::printf("%s\n", ProgressLine(p).c_str());
}

void AddStatus(CLI::App& app, Session& s, Action& action) {
  CLI::App* cmd = app.add_subcommand(
      "status", "rollout progress: every rollout, or one in detail; --follow draws it live");
  auto id = std::make_shared<std::string>();
  auto follow = std::make_shared<bool>(false);
  auto until_ready = std::make_shared<bool>(false);
  cmd->add_option("rollout", *id, "rollout id (default: every rollout)");
  cmd->add_flag("--follow,-f", *follow, "follow the event stream and redraw as progress changes");
  cmd->add_flag("--until-ready", *until_ready,
                "with --follow: stop when nothing is outstanding instead of when it ends");
  cmd->callback([&s, &action, id, follow, until_ready] {
    action = [&s, id, follow, until_ready] {
      if (*follow) return FollowProgress(s, *id, !*until_ready);
      std::optional<json> reply = id->empty()
                                      ? s.Request("GET", "/v1/rollouts")
                                      : s.Request("GET", client::PathWith("/v1/rollouts/", *id));
      if (!reply) return s.exit_code();
      if (s.json_output()) {
        Session::PrintJson(*reply);
      } else if (id->empty()) {
        PrintRollouts(*reply);
      } else {
        std::printf("%s", ProgressDetail(*reply).c_str());
      }
      return 0;
    };
  });
}

void PrintStale(const json& reply) {
  const json& agents = Array(reply, {"stale_agents", "agents"});
  if (agents.empty()) {
    std::printf("no stale agents\n");
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const json& a : agents) {
    std::string holds;
    for (const json& r : Array(a, {"holds_up"})) {
      holds += (holds.empty() ? "" : ",") + (r.is_string() ? r.get<std::string>() : r.dump());
    }
    rows.push_back({Str(a, "agent_id"), Str(a, "last_report_at"), Str(a, "flagged_at"),
                    Str(a, "gateway_id"), Str(a, "site"), holds});
  }
  std::printf(
      "%s",
      Table({"agent", "last report", "flagged", "gateway", "site", "holds up"}, rows).c_str());
}

std::string Flags(const json& a) {
  std::string flags;
  for (const char* f : {"stale", "revoked", "deleted", "cloud_enabled"}) {
    if (Bool(a, f)) flags += (flags.empty() ? "" : ",") + std::string(f);
  }
  return flags;
}

void PrintAgents(const json& reply) {
  if (reply.is_object() && !reply.contains("agents") && reply.contains("agent_id")) {
    std::printf("agent %s\n", Str(reply, "agent_id").c_str());
    for (const auto& [key, value] : reply.items()) {
      if (key == "agent_id") continue;
      std::printf("  %s: %s\n", key.c_str(),
                  value.is_string() ? value.get<std::string>().c_str() : value.dump().c_str());
    }
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const json& a : Array(reply, {"agents"})) {
    rows.push_back({Str(a, "agent_id"), Str(a, "last_report_at"), Str(a, "gateway_id"),
                    Str(a, "site"), std::to_string(Array(a, {"certificates"}).size()), Flags(a)});
  }
  std::printf("%s",
              Table({"agent", "last report", "gateway", "site", "certs", "flags"}, rows).c_str());
}

void PrintCertificates(const json& reply) {
  std::vector<std::vector<std::string>> rows;
  for (const json& c : Array(reply, {"certificates"})) {
    rows.push_back({FirstStr(c, {"fingerprint", "id"}), Str(c, "kind"), Str(c, "subject"),
                    Str(c, "not_after"), Str(c, "holders"), Bool(c, "revoked") ? "revoked" : ""});
  }
  if (rows.empty()) {
    std::printf("no certificates\n");
    return;
  }
  std::printf("%s",
              Table({"fingerprint", "kind", "subject", "expires", "holders", ""}, rows).c_str());
}

void PrintTimeline(const json& reply) {
  std::vector<std::vector<std::string>> rows;
  for (const json& e : Array(reply, {"timeline", "entries", "events"})) {
    rows.push_back({Str(e, "sequence"), Str(e, "recorded_at"), Str(e, "actor"), Str(e, "action"),
                    Str(e, "detail")});
  }
  std::printf("%s", Table({"seq", "time", "actor", "action", "detail"}, rows).c_str());
}

}  // namespace

void AddQueryCommands(CLI::App& app, Session& s, Action& action) {
  AddStatus(app, s, action);
  AddRead(
      app, s, action, "rollouts", "every rollout with its progress",
      [](Session& s) { return s.Request("GET", "/v1/rollouts"); }, PrintRollouts);
  AddRead(
      app, s, action, "stale", "stale agents, oldest report first",
      [](Session& s) { return s.Request("GET", "/v1/stale-agents"); }, PrintStale);

  auto agent = std::make_shared<std::string>();
  auto offset = std::make_shared<size_t>(0);
  auto limit = std::make_shared<size_t>(100);
  CLI::App* agents = AddRead(
      app, s, action, "agents", "agents (or one agent): certificates, last report, flags",
      [agent, offset, limit](Session& s) {
        if (!agent->empty()) return s.Request("GET", client::PathWith("/v1/agents/", *agent));
        return s.Request("GET", "/v1/agents", nullptr,
                         {{"offset", std::to_string(*offset)}, {"limit", std::to_string(*limit)}});
      },
      PrintAgents);
  agents->add_option("agent", *agent, "one agent's id");
  agents->add_option("--offset", *offset, "skip this many agents");
  agents->add_option("--limit", *limit, "at most this many agents")->check(CLI::Range(1, 100000));

  auto due = std::make_shared<int>(-1);
  CLI::App* certs = AddRead(
      app, s, action, "certificates", "registered certificates, holders and expiry",
      [due](Session& s) {
        std::map<std::string, std::string> query;
        if (*due >= 0) query["due_within_days"] = std::to_string(*due);
        return s.Request("GET", "/v1/certificates", nullptr, query);
      },
      PrintCertificates);
  certs->add_option("--due-within-days", *due, "only those expiring within N days")
      ->check(CLI::NonNegativeNumber);

  auto rollout = std::make_shared<std::string>();
  CLI::App* timeline = AddRead(
      app, s, action, "timeline", "every action on a rollout, with actor and time",
      [rollout](Session& s) {
        return s.Request("GET", client::PathWith("/v1/rollouts/", *rollout, "/timeline"));
      },
      PrintTimeline);
  timeline->add_option("rollout", *rollout, "rollout id")->required();
}

}  // namespace rotor::ctl
