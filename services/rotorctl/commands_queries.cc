// Read commands: status, rollouts, stale, agents, certificates, timeline.
// Each prints the API's JSON with --json. See commands.h.
#include <cstdio>
#include <map>
#include <memory>
#include <string>

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

// `--as-of` on a read command: as Rotor stood at that moment (the server's
// `as_of`, the same moment syntax as `replay --as-of`).
void AddAsOf(CLI::App* cmd, std::string& as_of) {
  cmd->add_option("--as-of", as_of,
                  "as Rotor stood at this RFC 3339 time or sequence number (as replay)");
}

std::map<std::string, std::string> Moment(const std::string& as_of) {
  if (as_of.empty()) return {};
  return {{"as_of", as_of}};
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

void PrintAgentTimeline(const json& reply) {
  std::vector<std::vector<std::string>> rows;
  for (const json& e : Array(reply, {"entries"})) {
    std::string type = Str(e, "event_type");
    if (size_t dot = type.rfind('.'); dot != std::string::npos) type = type.substr(dot + 1);
    rows.push_back({Str(e, "sequence"), Str(e, "recorded_at"), Str(e, "actor"), type});
  }
  std::printf("agent %s: %s events\n", Str(reply, "agent_id").c_str(),
              Str(reply, "events_total").c_str());
  std::printf("%s", Table({"seq", "time", "actor", "event"}, rows).c_str());
}

void PrintAgents(const json& reply) {
  if (reply.is_object() && reply.contains("entries")) {
    PrintAgentTimeline(reply);
    return;
  }
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
  if (reply.contains("total")) {
    std::printf("%zu shown from %lld, %s in all\n", rows.size(),
                static_cast<long long>(Num(reply, "offset")), Str(reply, "total").c_str());
  }
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
  auto rollouts_at = std::make_shared<std::string>();
  AddAsOf(AddRead(
              app, s, action, "rollouts", "every rollout with its progress",
              [rollouts_at](Session& s) {
                return s.Request("GET", "/v1/rollouts", nullptr, Moment(*rollouts_at));
              },
              PrintRollouts),
          *rollouts_at);
  auto stale_at = std::make_shared<std::string>();
  AddAsOf(AddRead(
              app, s, action, "stale", "stale agents, oldest report first",
              [stale_at](Session& s) {
                return s.Request("GET", "/v1/stale-agents", nullptr, Moment(*stale_at));
              },
              PrintStale),
          *stale_at);

  // `agents`: one agent, its timeline, or a page of the fleet or of a
  // rollout's agents filtered by the server (docs/api.md).
  struct AgentQuery {
    std::string agent;
    bool timeline = false;
    std::string rollout;
    std::map<std::string, std::string> filters;  // status, gateway, site, prefix, stale, revoked
    size_t offset = 0;
    size_t limit = 100;
    std::string as_of;  // time travel: as Rotor stood then
  };
  auto q = std::make_shared<AgentQuery>();
  CLI::App* agents = AddRead(
      app, s, action, "agents",
      "agents (or one agent, or its --timeline): certificates, last report, flags",
      [q](Session& s) {
        std::map<std::string, std::string> moment = Moment(q->as_of);
        if (!q->agent.empty()) {
          std::string path = client::PathWith("/v1/agents/", q->agent);
          return s.Request("GET", q->timeline ? path + "/timeline" : path, nullptr, moment);
        }
        std::map<std::string, std::string> query = q->filters;
        query.insert(moment.begin(), moment.end());
        query["offset"] = std::to_string(q->offset);
        query["limit"] = std::to_string(q->limit);
        std::string path = q->rollout.empty()
                               ? "/v1/agents"
                               : client::PathWith("/v1/rollouts/", q->rollout) + "/agents";
        return s.Request("GET", path, nullptr, query);
      },
      PrintAgents);
  agents->add_option("agent", q->agent, "one agent's id");
  agents->add_flag("--timeline", q->timeline, "with an agent: its history (reports, flags, ...)");
  agents->add_option("--rollout", q->rollout, "a rollout's agents (see --status)");
  agents
      ->add_option_function<std::string>(
          "--status", [q](const std::string& v) { q->filters["status"] = v; },
          "with --rollout: outstanding (default), stale or counted")
      ->check(CLI::IsMember({"outstanding", "stale", "counted"}));
  for (const char* name : {"gateway", "site", "prefix"}) {
    std::string key = name;
    agents->add_option_function<std::string>(
        "--" + key, [q, key](const std::string& v) { q->filters[key] = v; },
        key == "prefix" ? "agent ids starting with this" : "only agents of this " + key);
  }
  for (const char* name : {"stale", "revoked"}) {
    std::string key = name;
    agents
        ->add_option_function<std::string>(
            "--" + key, [q, key](const std::string& v) { q->filters[key] = v; },
            "true or false: only agents (not) " + key)
        ->check(CLI::IsMember({"true", "false"}));
  }
  agents->add_option("--offset", q->offset, "skip this many agents");
  agents->add_option("--limit", q->limit, "at most this many agents")->check(CLI::Range(1, 10000));
  AddAsOf(agents, q->as_of);

  auto due = std::make_shared<int>(-1);
  auto certs_at = std::make_shared<std::string>();
  CLI::App* certs = AddRead(
      app, s, action, "certificates", "registered certificates, holders and expiry",
      [due, certs_at](Session& s) {
        std::map<std::string, std::string> query = Moment(*certs_at);
        if (*due >= 0) query["due_within_days"] = std::to_string(*due);
        return s.Request("GET", "/v1/certificates", nullptr, query);
      },
      PrintCertificates);
  certs->add_option("--due-within-days", *due, "only those expiring within N days")
      ->check(CLI::NonNegativeNumber);
  AddAsOf(certs, *certs_at);

  auto rollout = std::make_shared<std::string>();
  auto timeline_at = std::make_shared<std::string>();
  CLI::App* timeline = AddRead(
      app, s, action, "timeline", "every action on a rollout, with actor and time",
      [rollout, timeline_at](Session& s) {
        return s.Request("GET", client::PathWith("/v1/rollouts/", *rollout, "/timeline"), nullptr,
                         Moment(*timeline_at));
      },
      PrintTimeline);
  timeline->add_option("rollout", *rollout, "rollout id")->required();
  AddAsOf(timeline, *timeline_at);
}

}  // namespace rotor::ctl
