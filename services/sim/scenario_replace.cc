// The replacement scenarios: `replace` (direct, the CEM root certificate)
// and `prestaged` (the server web certificate, the article's optional
// method). See scenarios.h.
#include "services/sim/scenarios.h"

namespace rotor::sim {
namespace {

constexpr Micros kHour = std::chrono::hours(1);
constexpr Micros kDay = std::chrono::hours(24);

Micros Days(double d) { return Micros(static_cast<int64_t>(d * 86400e6)); }

// Schedules every reporting holder to pick up `fingerprint` between
// `earliest` and `earliest + spread_days` (triangular), but not before
// `gateway_ready` when it reports through a gateway without auto-refresh.
void SchedulePickups(Fleet& fleet, const std::string& fingerprint, Time earliest, double min_days,
                     double max_days, Time gateway_ready) {
  for (size_t i = 0; i < fleet.agents().size(); ++i) {
    const SimAgent& a = fleet.agents()[i];
    if (!a.holder || a.deleted) continue;
    Time at = earliest + Days(fleet.rng().Triangular(min_days, max_days));
    if (a.gateway >= 0 && !fleet.gateways()[a.gateway].auto_refresh && at < gateway_ready) {
      at = gateway_ready + Days(fleet.rng().Between(0, 0.25));
    }
    fleet.Schedule(i, {at, fingerprint, {}, 0});
  }
}

// After a finalize, agents drop the old certificate within a day.
void ScheduleDrop(Fleet& fleet, const std::string& fingerprint, Time from) {
  for (size_t i = 0; i < fleet.agents().size(); ++i) {
    if (!fleet.agents()[i].holder) continue;
    fleet.Schedule(i, {from + Days(fleet.rng().Uniform()), {}, fingerprint, 0});
  }
}

Result<std::string> Initiate(Simulation& sim, const std::string& rollout_id,
                             const MadeCertificate& old_cert, const MadeCertificate& new_cert,
                             const std::string& kind, const std::string& mode) {
  ROTOR_RETURN_IF_ERROR(RegisterCertificate(sim, new_cert, kind));
  json body = {{"rollout_id", rollout_id},
               {"old_fingerprint", old_cert.fingerprint},
               {"new_fingerprint", new_cert.fingerprint},
               {"mode", mode}};
  if (mode == "pre-staged") body["required_staged_permille"] = 950;
  Result<json> r = sim.api().Post("/v1/replacements", body);
  if (!r.ok()) return r.status();
  std::string id = JsonStr(*r, "rollout_id");
  return id.empty() ? rollout_id : id;
}

Status Finalize(Simulation& sim, const std::string& rollout_id) {
  Result<json> r =
      sim.api().Post(client::PathWith("/v1/rollouts/", rollout_id, "/finalize"), json::object());
  if (!r.ok()) return r.status();
  return LogProgress(sim, rollout_id, "finalized " + rollout_id);
}

}  // namespace

Status RunReplace(Simulation& sim, ScenarioState& state) {
  Fleet& fleet = sim.fleet();
  const std::string id = "cem-root-" + state.run_tag;
  std::printf("\n== replace: the CEM root certificate, direct ==\n");
  Result<std::string> rollout =
      Initiate(sim, id, state.root_old, state.root_new, "cem-root", "direct");
  if (!rollout.ok()) return rollout.status();
  const Time t0 = sim.now();
  ROTOR_RETURN_IF_ERROR(LogProgress(sim, *rollout, "initiated replacement " + *rollout));
  const Time refresh_at = t0 + 3 * kHour;
  SchedulePickups(fleet, state.root_new.fingerprint, t0, 0.0, 3.5, refresh_at);

  RolloutPlan plan;
  plan.rollout_id = *rollout;
  plan.origin = t0;
  plan.show_refusal = true;
  plan.actions.push_back(
      {refresh_at, [&] { return RefreshManualGateways(sim, *rollout, "after the initiation"); }});
  plan.actions.push_back({t0 + 2 * kDay, [&] { return RevokeLostLaptop(sim); }});
  plan.delivered = [&] {
    return fleet.AllLiveDelivered(state.root_new.fingerprint,
                                  [](const SimAgent& a) { return a.holder; });
  };
  ROTOR_RETURN_IF_ERROR(sim.Distribute(plan));
  ROTOR_RETURN_IF_ERROR(Finalize(sim, *rollout));
  ScheduleDrop(fleet, state.root_old.fingerprint, sim.now());
  ROTOR_RETURN_IF_ERROR(sim.AdvanceTo(sim.now() + 2 * kHour));
  ROTOR_RETURN_IF_ERROR(RefreshManualGateways(sim, *rollout, "after the finalization"));
  return LogProgress(sim, *rollout, "done");
}

Status RunPrestaged(Simulation& sim, ScenarioState& state) {
  Fleet& fleet = sim.fleet();
  const std::string id = "web-prestaged-" + state.run_tag;
  std::printf(
      "\n== prestaged: the server web certificate, staged in the communication profile ==\n");
  Result<std::string> rollout =
      Initiate(sim, id, state.web_old, state.web_new, "server-web", "pre-staged");
  if (!rollout.ok()) return rollout.status();
  const Time t0 = sim.now();
  ROTOR_RETURN_IF_ERROR(LogProgress(sim, *rollout, "initiated pre-staged replacement " + *rollout));
  const Time stage_at = t0 + kHour / 2;
  SchedulePickups(fleet, state.web_new.fingerprint, stage_at, 0.5, 5.0, stage_at);

  bool switched = false;
  auto switch_bindings = [&] {
    Result<json> r = sim.api().Post(client::PathWith("/v1/rollouts/", *rollout, "/switch-bindings"),
                                    json::object());
    if (!r.ok()) return r.status();
    switched = true;
    return LogProgress(sim, *rollout, "switched the server's bindings to the new certificate");
  };
  RolloutPlan plan;
  plan.rollout_id = *rollout;
  plan.origin = t0;
  plan.show_refusal = true;
  plan.actions.push_back({stage_at, [&] {
                            Result<json> r = sim.api().Post(
                                client::PathWith("/v1/rollouts/", *rollout, "/stage"),
                                {{"communication_profile", "Symantec Management Agent"}});
                            if (!r.ok()) return r.status();
                            sim.Log(
                                "staged the new certificate in the agent communication "
                                "profile; agents pick it up as they request configuration");
                            return Status::Ok();
                          }});
  plan.actions.push_back({t0 + 2 * kDay, [&] { return RevokeLostLaptop(sim); }});
  plan.on_progress = [&](const json& p) {
    int64_t total = JsonNum(p, "total"), received = JsonNum(p, "received");
    if (switched || total == 0 || received * 1000 < total * 950) return Status::Ok();
    return switch_bindings();
  };
  plan.delivered = [&] {
    return fleet.AllLiveDelivered(state.web_new.fingerprint,
                                  [](const SimAgent& a) { return a.holder; });
  };
  ROTOR_RETURN_IF_ERROR(sim.Distribute(plan));
  if (!switched) ROTOR_RETURN_IF_ERROR(switch_bindings());
  ROTOR_RETURN_IF_ERROR(Finalize(sim, *rollout));
  ScheduleDrop(fleet, state.web_old.fingerprint, sim.now());
  return Status::Ok();
}

}  // namespace rotor::sim
