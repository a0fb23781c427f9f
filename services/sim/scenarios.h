// The simulator's scenarios, each a whole rollout driven through the API as
// an operator would: `replace` (the article's replacement of the CEM root
// certificate: register, initiate, refresh the gateways without
// auto-refresh, distribute, revoke a lost laptop, flag stale agents, delete
// dead resources, finalize, refresh the gateways again), `renew` (CEM agent
// certificates re-created on every cloud-enabled agent, and one gateway's
// reporting certificate) and `prestaged` (the article's optional method:
// stage the new web certificate in the communication profile, let agents
// pick it up over days, switch the bindings, finalize).
//
// SetUpFleet runs first: it registers the certificates in use, sets the
// gateways' auto-refresh and delivers the fleet's first inventory.
// Single-threaded.
#pragma once

#include <memory>
#include <string>

#include "services/sim/certs.h"
#include "services/sim/simulation.h"

namespace rotor::sim {

// What the scenarios share: the certificates and who issues agent certificates.
struct ScenarioState {
  std::string run_tag;  // suffix of rollout ids, e.g. "s1-20261101"
  Time not_before;      // validity origin for generated certificates
  MadeCertificate root_old, root_new, web_old, web_new;
  std::string unrelated_fingerprint;  // held by every agent, counted by no rollout
  std::unique_ptr<AgentCertificateIssuer> issuer;
};

// Registers the certificates in use, the lost laptop's CEM certificate and
// the gateways' settings at the simulation's start, then delivers the
// fleet's first inventory up to `first_rollout_at`.
Status SetUpFleet(Simulation& sim, ScenarioState& state, Time first_rollout_at);

Status RunReplace(Simulation& sim, ScenarioState& state);
Status RunRenew(Simulation& sim, ScenarioState& state);
Status RunPrestaged(Simulation& sim, ScenarioState& state);

// Prints every rollout's final state (GET /v1/rollouts).
Status PrintFinalState(Simulation& sim);

// Shared by the scenarios (scenario_setup.cc).
Status RegisterCertificate(Simulation& sim, const MadeCertificate& cert, const std::string& kind,
                           const std::string& agent_id = {});
// Revokes the lost laptop's CEM certificate (reason 1, keyCompromise).
Status RevokeLostLaptop(Simulation& sim);
// Records a manual refresh of every gateway without auto-refresh that
// `rollout_id` waits for.
Status RefreshManualGateways(Simulation& sim, const std::string& rollout_id,
                             const std::string& when);
// Prints the rollout's summary after a step: "<what>: <summary>".
Status LogProgress(Simulation& sim, const std::string& rollout_id, const std::string& what);

}  // namespace rotor::sim
