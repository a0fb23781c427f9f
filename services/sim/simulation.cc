// Virtual time and rollout driving. See simulation.h.
#include "services/sim/simulation.h"

#include <algorithm>
#include <cstdio>

namespace rotor::sim {
namespace {

constexpr Micros kDay = std::chrono::hours(24);

json ReportJson(const SimAgent& agent, const Delivery& d, const std::vector<SimGateway>& gateways) {
  json report = {{"reportId", d.report_id},
                 {"agentId", agent.id},
                 {"reportedAt", FormatTime(d.reported_at)},
                 {"certificateFingerprints", d.inventory},
                 {"site", agent.site},
                 {"cloudEnabled", agent.cloud}};
  if (agent.gateway >= 0) report["gatewayId"] = gateways[agent.gateway].id;
  return report;
}

// agent-0042 -> 41; npos when the id is not one of the fleet's.
size_t AgentIndex(const std::string& id, size_t fleet_size) {
  if (id.rfind("agent-", 0) != 0) return std::string::npos;
  size_t n = std::strtoul(id.c_str() + 6, nullptr, 10);
  return n >= 1 && n <= fleet_size ? n - 1 : std::string::npos;
}

}  // namespace

std::string FormatEta(int64_t seconds) {
  int64_t d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60;
  if (d > 0) return std::to_string(d) + "d " + std::to_string(h) + "h";
  if (h > 0) return std::to_string(h) + "h " + std::to_string(m) + "m";
  if (m > 0) return std::to_string(m) + "m";
  return std::to_string(seconds) + "s";
}

Simulation::Simulation(SimApi& api, Fleet& fleet, SimOptions options)
    : api_(api),
      fleet_(fleet),
      options_(options),
      now_(options.start),
      last_sweep_(options.start) {}

void Simulation::Log(const std::string& text) const {
  std::string t = FormatTime(now_);  // 2026-11-03T04:00:00Z
  std::printf("  [%s %s] %s\n", t.substr(0, 10).c_str(), t.substr(11, 5).c_str(), text.c_str());
  std::fflush(stdout);
}

std::string Simulation::DayLine(int day, const json& p) {
  std::string summary = JsonStr(p, "summary");
  if (summary.empty()) {
    summary = std::to_string(JsonNum(p, "received")) + " of " +
              std::to_string(JsonNum(p, "total")) + " agents received the new certificate";
  }
  std::string eta = p.contains("eta_seconds") && p["eta_seconds"].is_number()
                        ? FormatEta(JsonNum(p, "eta_seconds"))
                        : "-";
  return "day " + std::to_string(day) + ": " + summary + " (" +
         std::to_string(JsonNum(p, "stale")) + " stale, ETA " + eta + ")";
}

Status Simulation::SetNow(Time t) {
  if (t < now_) return Status::InvalidArgument("virtual time cannot go back");
  ROTOR_RETURN_IF_ERROR(api_.SetClock(t));
  now_ = t;
  return Status::Ok();
}

Status Simulation::Tick(std::vector<Applied>* applied) {
  const Time to = now_ + options_.tick;
  ROTOR_RETURN_IF_ERROR(api_.SetClock(to));
  std::vector<Delivery> deliveries = fleet_.Advance(to, applied);
  std::vector<json> reports;
  reports.reserve(deliveries.size());
  for (const Delivery& d : deliveries) {
    reports.push_back(ReportJson(fleet_.agents()[d.agent], d, fleet_.gateways()));
  }
  now_ = to;
  if (!reports.empty()) {
    Result<BatchResult> result = api_.PostReports(reports);
    if (!result.ok()) return result.status();
    ingested_ += result->ingested;
    duplicates_ += result->duplicates;
    rejected_ += result->rejected.size();
    for (const Delivery& d : deliveries) fleet_.Delivered(d);
  }
  if (now_ - last_sweep_ >= options_.sweep_every) {
    Result<size_t> swept = Sweep();
    if (!swept.ok()) return swept.status();
  }
  return Status::Ok();
}

Status Simulation::AdvanceTo(Time to, std::vector<Applied>* applied) {
  while (now_ < to) ROTOR_RETURN_IF_ERROR(Tick(applied));
  return Status::Ok();
}

Result<size_t> Simulation::Sweep() {
  last_sweep_ = now_;
  int64_t seconds =
      std::chrono::duration_cast<std::chrono::seconds>(options_.stale_threshold).count();
  Result<json> reply = api_.Post("/v1/sweeps/stale", {{"threshold_seconds", seconds}});
  if (!reply.ok()) return reply.status();
  size_t flagged =
      reply->contains("events") && (*reply)["events"].is_array() ? (*reply)["events"].size() : 0;
  if (flagged > 0) Log("sweep flagged " + std::to_string(flagged) + " agent(s) stale");
  return flagged;
}

Result<json> Simulation::Progress(const std::string& rollout_id) {
  return api_.Get(client::PathWith("/v1/rollouts/", rollout_id));
}

Result<size_t> Simulation::DeleteDeadAgents() {
  Result<json> stale = api_.Get("/v1/stale-agents");
  if (!stale.ok()) return stale.status();
  const json& list = stale->is_array() ? *stale : (*stale)["stale_agents"];
  std::vector<size_t> dead;
  if (list.is_array()) {
    for (const json& a : list) {
      size_t i = AgentIndex(JsonStr(a, "agent_id"), fleet_.agents().size());
      if (i != std::string::npos && fleet_.agents()[i].silent && !fleet_.agents()[i].deleted) {
        dead.push_back(i);
      }
    }
  }
  SimAgent& laptop = fleet_.agents()[fleet_.lost_laptop()];
  if (laptop.revoked && !laptop.deleted) dead.push_back(fleet_.lost_laptop());
  for (size_t i : dead) {
    Result<json> r = api_.Call("DELETE", client::PathWith("/v1/agents/", fleet_.agents()[i].id));
    if (!r.ok()) return r.status();
    fleet_.Delete(i);
  }
  if (!dead.empty()) {
    Log("deleted the resources of " + std::to_string(dead.size()) +
        " dead agent(s) (silent, or the lost laptop); they leave every statistic");
  }
  return dead.size();
}

Status Simulation::RunDueActions(RolloutPlan& plan) {
  for (TimedAction& action : plan.actions) {
    if (!action.done && action.at <= now_) {
      action.done = true;
      ROTOR_RETURN_IF_ERROR(action.run());
    }
  }
  return Status::Ok();
}

Status Simulation::TryFinalizeEarly(const std::string& rollout_id, const json& p) {
  int64_t total = JsonNum(p, "total"), received = JsonNum(p, "received");
  if (refusal_shown_ || total == 0 || received * 10 < total * 9 || received >= total) {
    return Status::Ok();
  }
  refusal_shown_ = true;
  Result<json> r =
      api_.Post(client::PathWith("/v1/rollouts/", rollout_id, "/finalize"), json::object());
  if (r.ok()) return Status::Internal("finalize was accepted while agents were outstanding");
  if (r.status().code() != StatusCode::kFailedPrecondition) return r.status();
  std::string message = r.status().message();
  size_t context = message.find("/finalize: ");  // SimApi names the request first
  if (context != std::string::npos) message = message.substr(context + 11);
  if (message.size() > 160) message = message.substr(0, 157) + "...";
  Log("finalize refused, as it should be: " + message);
  return Status::Ok();
}

Status Simulation::Distribute(RolloutPlan& plan) {
  int day = static_cast<int>((now_ - plan.origin) / kDay);
  refusal_shown_ = false;
  std::vector<Applied> applied;
  while (true) {
    if (now_ - plan.origin > kDay * options_.max_days) {
      return Status::DeadlineExceeded("rollout " + plan.rollout_id + " did not finish within " +
                                      std::to_string(options_.max_days) + " simulated days");
    }
    ROTOR_RETURN_IF_ERROR(RunDueActions(plan));
    applied.clear();
    ROTOR_RETURN_IF_ERROR(Tick(&applied));
    if (plan.on_applied && !applied.empty()) ROTOR_RETURN_IF_ERROR(plan.on_applied(applied));
    if (plan.on_progress) {
      Result<json> p = Progress(plan.rollout_id);
      if (!p.ok()) return p.status();
      ROTOR_RETURN_IF_ERROR(plan.on_progress(*p));
    }
    int today = static_cast<int>((now_ - plan.origin) / kDay);
    if (today > day) {
      day = today;
      Result<json> p = Progress(plan.rollout_id);
      if (!p.ok()) return p.status();
      std::printf("%s\n", DayLine(day, *p).c_str());
      std::fflush(stdout);
      if (plan.show_refusal) ROTOR_RETURN_IF_ERROR(TryFinalizeEarly(plan.rollout_id, *p));
    }
    bool actions_done = std::all_of(plan.actions.begin(), plan.actions.end(),
                                    [](const TimedAction& a) { return a.done; });
    if (!actions_done || !plan.delivered()) continue;
    Result<size_t> swept = Sweep();
    if (!swept.ok()) return swept.status();
    Result<size_t> deleted = DeleteDeadAgents();
    if (!deleted.ok()) return deleted.status();
    Result<json> p = Progress(plan.rollout_id);
    if (!p.ok()) return p.status();
    if (JsonNum(*p, "outstanding") == 0) return Status::Ok();
  }
}

}  // namespace rotor::sim
