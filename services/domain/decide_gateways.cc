// Deciders for Internet gateways: SetGatewayAutoRefresh and RefreshGateway.
// See decide.h.
#include <algorithm>

#include "services/domain/decide.h"
#include "services/domain/validation.h"

namespace rotor::domain {
namespace {

// Adds a GatewayRefreshPerformed for each pending step of `gateway` in `r`.
void PerformPendingSteps(const RolloutState& r, const RefreshGateway& c, Decision& d) {
  if (r.phase == RolloutPhase::kCancelled) return;
  for (const GatewayStep& step : r.gateway_steps) {
    if (step.gateway_id == c.gateway_id && !step.performed) {
      d.Add(GatewayRefreshPerformed{c.gateway_id, r.id, step.step, c.now, c.actor});
    }
  }
}

bool RequiresGateway(const RolloutState& r, std::string_view gateway_id) {
  return std::any_of(r.gateway_steps.begin(), r.gateway_steps.end(),
                     [&](const GatewayStep& s) { return s.gateway_id == gateway_id; });
}

}  // namespace

Result<Decision> Decide(const SetGatewayAutoRefresh& c, const DomainState& state) {
  ROTOR_RETURN_IF_ERROR(CheckId("gateway id", c.gateway_id));
  ROTOR_RETURN_IF_ERROR(CheckActor(c.actor));
  const GatewayState* gateway = state.FindGateway(c.gateway_id);
  if (gateway != nullptr && gateway->setting_recorded && gateway->auto_refresh == c.auto_refresh) {
    return Decision();
  }
  Decision d(c.actor, c.now);
  d.Add(GatewayAutoRefreshChanged{c.gateway_id, c.auto_refresh});
  return d;
}

Result<Decision> Decide(const RefreshGateway& c, const DomainState& state) {
  ROTOR_RETURN_IF_ERROR(CheckId("gateway id", c.gateway_id));
  ROTOR_RETURN_IF_ERROR(CheckActor(c.actor));
  if (state.FindGateway(c.gateway_id) == nullptr) {
    return Status::NotFound("gateway " + c.gateway_id +
                            " is unknown: it has no auto-refresh setting and no agent reports "
                            "through it");
  }
  Decision d(c.actor, c.now);
  if (c.rollout_id.empty()) {
    for (const auto& [id, rollout] : state.rollouts) PerformPendingSteps(rollout, c, d);
    return d;
  }
  Result<const RolloutState*> found = LookupRollout(state, c.rollout_id);
  if (!found.ok()) return found.status();
  const RolloutState& r = **found;
  if (r.phase == RolloutPhase::kCancelled) {
    return Status::FailedPrecondition("rollout " + r.id +
                                      " is cancelled; it needs no refresh of "
                                      "gateway " +
                                      c.gateway_id);
  }
  if (!RequiresGateway(r, c.gateway_id)) {
    return Status::FailedPrecondition("rollout " + r.id + " requires no refresh of gateway " +
                                      c.gateway_id +
                                      " (the gateway refreshes automatically, or the rollout "
                                      "does not touch gateways)");
  }
  PerformPendingSteps(r, c, d);
  return d;
}

}  // namespace rotor::domain
