// The renewal scenario: CEM agent certificates re-created on every
// cloud-enabled agent, and a gateway's reporting certificate. See scenarios.h.
#include <map>

#include "services/sim/scenarios.h"

namespace rotor::sim {
namespace {

constexpr int kRenewedTag = 1;
constexpr Micros kHour = std::chrono::hours(1);

Micros Days(double d) { return Micros(static_cast<int64_t>(d * 86400e6)); }

bool Live(const SimAgent& a) { return !a.silent && !a.deleted && !a.revoked; }

// The last gateway without auto-refresh; nullptr when every gateway has it.
const SimGateway* ManualGateway(const Fleet& fleet) {
  const SimGateway* manual = nullptr;
  for (const SimGateway& g : fleet.gateways()) {
    if (!g.auto_refresh) manual = &g;
  }
  return manual;
}

// Renews the reporting certificate of `gateway`; without auto-refresh the
// gateway then needs a manual refresh.
Status StartGatewayRenewal(Simulation& sim, const SimGateway& gateway, const std::string& id) {
  Result<json> r = sim.api().Post("/v1/renewals", {{"rollout_id", id},
                                                   {"target", "gateway-reporting-certificate"},
                                                   {"gateway_id", gateway.id}});
  if (!r.ok()) return r.status();
  return LogProgress(
      sim, id, "started renewal " + id + " of gateway " + gateway.id + "'s reporting certificate");
}

}  // namespace

Status RunRenew(Simulation& sim, ScenarioState& state) {
  Fleet& fleet = sim.fleet();
  const std::string id = "cem-agents-" + state.run_tag;
  std::printf("\n== renew: CEM agent certificates on every cloud-enabled agent ==\n");
  Result<json> r =
      sim.api().Post("/v1/renewals", {{"rollout_id", id}, {"target", "cem-agent-certificates"}});
  if (!r.ok()) return r.status();
  std::string rollout = JsonStr(*r, "rollout_id");
  if (rollout.empty()) rollout = id;
  const Time t0 = sim.now();
  ROTOR_RETURN_IF_ERROR(LogProgress(sim, rollout, "started renewal " + rollout));
  for (size_t i = 0; i < fleet.agents().size(); ++i) {
    const SimAgent& a = fleet.agents()[i];
    if (a.cloud && Live(a)) {
      fleet.Schedule(i, {t0 + Days(fleet.rng().Triangular(0, 2)), {}, {}, kRenewedTag});
    }
  }
  std::map<size_t, std::string> renewed;  // agent -> its renewed certificate
  RolloutPlan plan;
  plan.rollout_id = rollout;
  plan.origin = t0;
  plan.on_applied = [&](const std::vector<Applied>& applied) {
    for (const Applied& change : applied) {
      const SimAgent& a = fleet.agents()[change.agent];
      if (change.tag != kRenewedTag || !Live(a)) continue;
      Result<MadeCertificate> cert = state.issuer->Issue(a.id, sim.now());
      if (!cert.ok()) return cert.status();
      Result<json> recorded =
          sim.api().Post(client::PathWith("/v1/agents/", a.id, "/renewed-certificate"),
                         {{"rollout_id", rollout}, {"pem", cert->pem}});
      if (!recorded.ok()) return recorded.status();
      // The agent installs it and reports it in its next inventory.
      fleet.Schedule(change.agent, {sim.now(), cert->fingerprint, {}, 0});
      renewed[change.agent] = cert->fingerprint;
    }
    return Status::Ok();
  };
  const SimGateway* gateway = ManualGateway(fleet);
  const std::string gateway_rollout = "gw-reporting-" + state.run_tag;
  if (gateway != nullptr) {
    plan.actions.push_back(
        {t0 + kHour, [&] { return StartGatewayRenewal(sim, *gateway, gateway_rollout); }});
    plan.actions.push_back({t0 + 2 * kHour, [&] {
                              ROTOR_RETURN_IF_ERROR(
                                  RefreshManualGateways(sim, gateway_rollout, "after the renewal"));
                              return LogProgress(sim, gateway_rollout, "gateway renewal");
                            }});
  }
  plan.actions.push_back({t0 + Days(1), [&] { return RevokeLostLaptop(sim); }});
  plan.delivered = [&] {
    for (size_t i = 0; i < fleet.agents().size(); ++i) {
      const SimAgent& a = fleet.agents()[i];
      if (!a.cloud || !Live(a)) continue;
      auto it = renewed.find(i);
      if (it == renewed.end() || !Fleet::Holds(a.delivered, it->second)) return false;
    }
    return true;
  };
  ROTOR_RETURN_IF_ERROR(sim.Distribute(plan));
  return LogProgress(sim, rollout, "renewal " + rollout);
}

}  // namespace rotor::sim
