// Deciders that end a replacement: FinalizeReplacement and CancelReplacement.
// See decide.h.
#include "services/domain/decide.h"
#include "services/domain/progress.h"
#include "services/domain/validation.h"

namespace rotor::domain {
namespace {

constexpr size_t kOutstandingNamed = 10;  // agents named in a refusal

// Errors: kFailedPrecondition while a gateway refresh after initiation is pending.
Status CheckGatewaysRefreshed(const RolloutState& r) {
  std::vector<std::string> pending = r.PendingGateways(GatewayRefreshStep::kAfterInitiate);
  if (pending.empty()) return Status::Ok();
  std::string gateways = pending.size() == 1 ? "gateway " + pending[0] + " has"
                                             : "gateways " + JoinLimited(pending, 10) + " have";
  return Status::FailedPrecondition("rollout " + r.id + ": " + gateways +
                                    " not been refreshed since the replacement was initiated "
                                    "(auto-refresh is off); refresh before finalizing");
}

// Errors: kFailedPrecondition when the new certificate is not valid at `now`.
Status CheckNewCertificateValid(const DomainState& state, const RolloutState& r, Time now) {
  const CertificateState* cert = state.FindCertificate(r.new_fingerprint);
  if (cert == nullptr) return Status::Ok();  // a log written by other tools; nothing to check
  if (now < cert->not_before) {
    return Status::FailedPrecondition("rollout " + r.id + ": new certificate " + r.new_fingerprint +
                                      " is not valid before " + FormatTime(cert->not_before) +
                                      "; finalize after that");
  }
  if (now >= cert->not_after) {
    return Status::FailedPrecondition("rollout " + r.id + ": new certificate " + r.new_fingerprint +
                                      " expired at " + FormatTime(cert->not_after));
  }
  return Status::Ok();
}

Status OutstandingError(const RolloutState& r, const RolloutProgress& p) {
  return Status::FailedPrecondition(
      "rollout " + r.id + ": " + std::to_string(p.Outstanding()) + " of " +
      std::to_string(p.total) + " agents have not received the new certificate; " +
      std::to_string(p.stale_outstanding) + " of them are stale (outstanding: " +
      JoinLimited(p.outstanding_agent_ids, kOutstandingNamed, p.Outstanding()) +
      "); finalize with force and a reason to put the new certificate in use anyway");
}

}  // namespace

Result<Decision> Decide(const FinalizeReplacement& c, const DomainState& state) {
  ROTOR_RETURN_IF_ERROR(CheckId("rollout id", c.rollout_id));
  ROTOR_RETURN_IF_ERROR(CheckActor(c.actor));
  Result<const RolloutState*> found = LookupReplacement(state, c.rollout_id);
  if (!found.ok()) return found.status();
  const RolloutState& r = **found;
  if (r.phase == RolloutPhase::kFinalized) return Decision();
  if (r.phase == RolloutPhase::kCancelled) {
    return Status::FailedPrecondition("rollout " + r.id +
                                      " is cancelled; only an active replacement can be finalized");
  }
  if (c.force && c.reason.empty()) {
    return Status::InvalidArgument("rollout " + r.id + ": a forced finalize needs a reason");
  }
  if (r.mode == ReplacementMode::kPreStaged && !r.bindings_switched) {
    return Status::FailedPrecondition("rollout " + r.id +
                                      " is pre-staged and its bindings have not been switched; "
                                      "switch them before finalizing");
  }
  ROTOR_RETURN_IF_ERROR(CheckGatewaysRefreshed(r));
  ROTOR_RETURN_IF_ERROR(CheckNewCertificateValid(state, r, c.now));
  // The refusal names a few; a forced finalize records every one.
  RolloutProgress p = ComputeProgress(state, r, c.force ? kListAll : kOutstandingNamed);
  if (p.Outstanding() > 0 && !c.force) return OutstandingError(r, p);

  Decision d(c.actor, c.now);
  d.Add(ReplacementFinalized{r.id, p.received, p.total, c.force, c.reason,
                             std::move(p.outstanding_agent_ids), p.stale_outstanding});
  if (r.kind == CertificateKind::kCemRoot) {
    for (const std::string& gateway : ManualRefreshGateways(state)) {
      d.Add(GatewayRefreshRequired{gateway, r.id, GatewayRefreshStep::kAfterFinalize});
    }
  }
  return d;
}

Result<Decision> Decide(const CancelReplacement& c, const DomainState& state) {
  ROTOR_RETURN_IF_ERROR(CheckId("rollout id", c.rollout_id));
  ROTOR_RETURN_IF_ERROR(CheckActor(c.actor));
  Result<const RolloutState*> found = LookupReplacement(state, c.rollout_id);
  if (!found.ok()) return found.status();
  const RolloutState& r = **found;
  if (r.phase == RolloutPhase::kCancelled) return Decision();
  if (r.phase == RolloutPhase::kFinalized) {
    return Status::FailedPrecondition("rollout " + r.id +
                                      " is finalized; a finalized replacement cannot be cancelled "
                                      "(the new certificate is in use)");
  }
  Decision d(c.actor, c.now);
  d.Add(ReplacementCancelled{r.id, c.reason});
  return d;
}

}  // namespace rotor::domain
