// Fleet setup and the steps the scenarios share. See scenarios.h.
#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <cstdio>

#include "base/hash.h"
#include "services/sim/scenarios.h"

namespace rotor::sim {

Status RegisterCertificate(Simulation& sim, const MadeCertificate& cert, const std::string& kind,
                           const std::string& agent_id) {
  json body = {{"kind", kind}, {"pem", cert.pem}};
  if (!agent_id.empty()) body["agent_id"] = agent_id;
  Result<json> r = sim.api().Post("/v1/certificates", body);
  if (!r.ok() && r.status().code() != StatusCode::kAlreadyExists) return r.status();
  return Status::Ok();
}

Status RevokeLostLaptop(Simulation& sim) {
  SimAgent& laptop = sim.fleet().agents()[sim.fleet().lost_laptop()];
  if (laptop.revoked || laptop.deleted) return Status::Ok();
  Result<json> r =
      sim.api().Post(client::PathWith("/v1/agents/", laptop.id, "/revoke"), {{"reason_code", 1}});
  if (!r.ok()) return r.status();
  laptop.revoked = true;
  sim.Log("laptop " + laptop.id +
          " was lost: revoked its CEM certificate (keyCompromise); its reports are now rejected");
  return Status::Ok();
}

Status RefreshManualGateways(Simulation& sim, const std::string& rollout_id,
                             const std::string& when) {
  // The gateways the rollout shows as pending; every gateway without
  // auto-refresh when the progress does not list them.
  Result<json> p = sim.Progress(rollout_id);
  if (!p.ok()) return p.status();
  std::vector<std::string> pending;
  const json* steps = nullptr;
  for (const char* key : {"pending_gateway_steps", "pending_gateway_refreshes"}) {
    if (p->contains(key) && (*p)[key].is_array()) steps = &(*p)[key];
  }
  if (steps != nullptr) {
    for (const json& step : *steps) {
      std::string gateway = JsonStr(step, "gateway_id");
      if (!gateway.empty() && std::find(pending.begin(), pending.end(), gateway) == pending.end()) {
        pending.push_back(gateway);
      }
    }
  } else {
    for (const SimGateway& g : sim.fleet().gateways()) {
      if (!g.auto_refresh) pending.push_back(g.id);
    }
  }
  for (const std::string& gateway : pending) {
    Result<json> r = sim.api().Post(client::PathWith("/v1/gateways/", gateway, "/refresh"),
                                    {{"rollout_id", rollout_id}});
    if (!r.ok()) return r.status();
    sim.Log(fmt::format("refreshed gateway {} by hand {} (auto-refresh is off)", gateway, when));
  }
  return Status::Ok();
}

Status LogProgress(Simulation& sim, const std::string& rollout_id, const std::string& what) {
  Result<json> p = sim.Progress(rollout_id);
  if (!p.ok()) return p.status();
  std::string status = JsonStr(*p, "status");
  if (status.empty()) status = JsonStr(*p, "state");
  sim.Log(what + ": " + JsonStr(*p, "summary") + (status.empty() ? "" : " [" + status + "]"));
  return Status::Ok();
}

Status SetUpFleet(Simulation& sim, ScenarioState& state, Time first_rollout_at) {
  const Time t = state.not_before;
  const auto days = [](int n) { return std::chrono::days(n); };
  auto make = [&](MadeCertificate& out, const char* cn, Time from, Time to) {
    Result<MadeCertificate> made = SelfSigned(cn, from, to);
    if (!made.ok()) return made.status();
    out = std::move(made).value();
    return Status::Ok();
  };
  ROTOR_RETURN_IF_ERROR(
      make(state.root_old, "Rotor Sim CEM Root 2023", t - days(3 * 365), t + days(45)));
  ROTOR_RETURN_IF_ERROR(
      make(state.root_new, "Rotor Sim CEM Root 2026", t - days(1), t + days(5 * 365)));
  ROTOR_RETURN_IF_ERROR(
      make(state.web_old, "ns.sim.example 2024", t - days(2 * 365), t + days(40)));
  ROTOR_RETURN_IF_ERROR(make(state.web_new, "ns.sim.example 2026", t - days(1), t + days(2 * 365)));
  state.unrelated_fingerprint = ToHex(Sha256("rotor-sim unrelated certificate " + state.run_tag));
  Result<std::unique_ptr<AgentCertificateIssuer>> issuer = AgentCertificateIssuer::Create(t);
  if (!issuer.ok()) return issuer.status();
  state.issuer = std::move(issuer).value();

  ROTOR_RETURN_IF_ERROR(sim.SetNow(sim.now()));
  ROTOR_RETURN_IF_ERROR(RegisterCertificate(sim, state.root_old, "cem-root"));
  ROTOR_RETURN_IF_ERROR(RegisterCertificate(sim, state.web_old, "server-web"));
  Fleet& fleet = sim.fleet();
  const SimAgent& laptop = fleet.agents()[fleet.lost_laptop()];
  Result<MadeCertificate> laptop_cert = state.issuer->Issue(laptop.id, sim.now());
  if (!laptop_cert.ok()) return laptop_cert.status();
  ROTOR_RETURN_IF_ERROR(RegisterCertificate(sim, *laptop_cert, "cem-agent", laptop.id));
  std::string manual;
  for (const SimGateway& g : fleet.gateways()) {
    Result<json> r = sim.api().Call("PUT", client::PathWith("/v1/gateways/", g.id),
                                    {{"auto_refresh", g.auto_refresh}});
    if (!r.ok()) return r.status();
    if (!g.auto_refresh) manual += (manual.empty() ? "" : ", ") + g.id;
  }
  fleet.AddToInventory(state.root_old.fingerprint, true);
  fleet.AddToInventory(state.web_old.fingerprint, true);
  fleet.AddToInventory(state.unrelated_fingerprint, false);

  size_t silent = 0, cloud = 0;
  for (const SimAgent& a : fleet.agents()) {
    silent += a.silent;
    cloud += a.cloud;
  }
  const FleetOptions& o = fleet.options();
  std::printf(
      "fleet: %d agents (%d hold the certificates in use, %d do not), %zu cloud-enabled, "
      "%zu gateways (without auto-refresh: %s), %d sites\n",
      o.holders + o.others, o.holders, o.others, cloud, fleet.gateways().size(),
      manual.empty() ? "none" : manual.c_str(), o.sites);
  std::printf(
      "       reports every %lldh +/- %.0f%%; %zu agents will go silent; %s is the laptop "
      "that will be lost\n",
      static_cast<long long>(o.report_interval.count() / 3600000000LL), o.jitter * 100, silent,
      laptop.id.c_str());
  sim.Log("registered the certificates in use; first inventory reports arriving");
  ROTOR_RETURN_IF_ERROR(sim.AdvanceTo(first_rollout_at));
  sim.Log("inventory in: " + std::to_string(sim.ingested()) + " reports ingested");
  return Status::Ok();
}

Status PrintFinalState(Simulation& sim) {
  Result<json> list = sim.api().Get("/v1/rollouts");
  if (!list.ok()) return list.status();
  const json& rollouts = list->is_array() ? *list : (*list)["rollouts"];
  std::printf("final state:\n");
  if (rollouts.is_array()) {
    for (const json& p : rollouts) {
      std::string status = JsonStr(p, "status");
      if (status.empty()) status = JsonStr(p, "state");
      std::string id = JsonStr(p, "rollout_id");
      if (id.empty()) id = JsonStr(p, "id");
      std::printf("  %-28s %-36s %s\n", id.c_str(), status.c_str(), JsonStr(p, "summary").c_str());
    }
  }
  std::printf("reports: %llu ingested, %llu skipped as duplicates or out of date, %llu rejected\n",
              static_cast<unsigned long long>(sim.ingested()),
              static_cast<unsigned long long>(sim.duplicates()),
              static_cast<unsigned long long>(sim.rejected()));
  return Status::Ok();
}

}  // namespace rotor::sim
