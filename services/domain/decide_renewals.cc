// Deciders for renewals: RenewCemAgentCertificates,
// RenewGatewayReportingCertificate and RecordRenewedCertificate. See decide.h.
#include <algorithm>

#include "base/hash.h"
#include "services/domain/decide.h"
#include "services/domain/progress.h"
#include "services/domain/validation.h"

namespace rotor::domain {
namespace {

Status AlreadyExists(const std::string& rollout_id) {
  return Status::AlreadyExists("rollout " + rollout_id +
                               " already exists with different parameters; choose another "
                               "rollout id");
}

// Errors: kNotFound / kFailedPrecondition when `agent_id` cannot be renewed.
Status CheckRenewable(const DomainState& state, const std::string& agent_id) {
  Result<const AgentState*> found = LookupAgent(state, agent_id);
  if (!found.ok()) return found.status();
  const AgentState& a = **found;
  if (a.deleted) return Status::FailedPrecondition("agent " + agent_id + "'s resource was deleted");
  if (a.revoked) {
    return Status::FailedPrecondition("agent " + agent_id +
                                      "'s CEM certificate is revoked; a revoked agent is not "
                                      "renewed");
  }
  if (!a.cloud_enabled) {
    return Status::FailedPrecondition("agent " + agent_id +
                                      " is not cloud-enabled; only cloud-enabled agents hold CEM "
                                      "agent certificates");
  }
  return Status::Ok();
}

bool AnyCloudEnabled(const DomainState& state) {
  return std::any_of(state.agents.begin(), state.agents.end(), [](const AgentState& a) {
    return a.known && a.has_report && a.cloud_enabled && !a.deleted && !a.revoked;
  });
}

Status CheckRecordFields(const RecordRenewedCertificate& c) {
  ROTOR_RETURN_IF_ERROR(CheckId("rollout id", c.rollout_id));
  ROTOR_RETURN_IF_ERROR(CheckId("agent id", c.agent_id));
  ROTOR_RETURN_IF_ERROR(CheckActor(c.actor));
  ROTOR_RETURN_IF_ERROR(CheckFingerprint("renewed certificate", c.new_fingerprint));
  if (!c.old_fingerprint.empty()) {
    ROTOR_RETURN_IF_ERROR(CheckFingerprint("previous certificate", c.old_fingerprint));
  }
  if (!c.der.empty() && ToHex(Sha256(c.der)) != c.new_fingerprint) {
    return Status::InvalidArgument("renewed certificate fingerprint " + c.new_fingerprint +
                                   " is not the SHA-256 of its DER bytes");
  }
  return Status::Ok();
}

}  // namespace

Result<Decision> Decide(const RenewCemAgentCertificates& c, const DomainState& state) {
  ROTOR_RETURN_IF_ERROR(CheckId("rollout id", c.rollout_id));
  ROTOR_RETURN_IF_ERROR(CheckActor(c.actor));
  std::vector<std::string> agents = c.agent_ids;
  for (const std::string& id : agents) ROTOR_RETURN_IF_ERROR(CheckId("agent id", id));
  std::sort(agents.begin(), agents.end());
  agents.erase(std::unique(agents.begin(), agents.end()), agents.end());
  if (const RolloutState* existing = state.FindRollout(c.rollout_id)) {
    bool same = existing->type == RolloutKind::kRenewal &&
                existing->target == RenewalTarget::kCemAgentCertificates &&
                existing->agent_ids == agents;
    if (same) return Decision();
    return AlreadyExists(c.rollout_id);
  }
  if (agents.empty() && !AnyCloudEnabled(state)) {
    return Status::FailedPrecondition("rollout " + c.rollout_id +
                                      ": no cloud-enabled agent to renew (none has reported in "
                                      "cloud-enabled mode, or all are deleted or revoked)");
  }
  for (const std::string& id : agents) ROTOR_RETURN_IF_ERROR(CheckRenewable(state, id));
  Decision d(c.actor, c.now);
  d.Add(RenewalInitiated{c.rollout_id, RenewalTarget::kCemAgentCertificates, "", std::move(agents),
                         ""});
  return d;
}

Result<Decision> Decide(const RenewGatewayReportingCertificate& c, const DomainState& state) {
  ROTOR_RETURN_IF_ERROR(CheckId("rollout id", c.rollout_id));
  ROTOR_RETURN_IF_ERROR(CheckId("gateway id", c.gateway_id));
  ROTOR_RETURN_IF_ERROR(CheckActor(c.actor));
  if (!c.fingerprint.empty()) ROTOR_RETURN_IF_ERROR(CheckFingerprint("certificate", c.fingerprint));
  if (const RolloutState* existing = state.FindRollout(c.rollout_id)) {
    bool same = existing->type == RolloutKind::kRenewal &&
                existing->target == RenewalTarget::kGatewayReportingCertificate &&
                existing->gateway_id == c.gateway_id &&
                existing->renewed_fingerprint == c.fingerprint;
    if (same) return Decision();
    return AlreadyExists(c.rollout_id);
  }
  const GatewayState* gateway = state.FindGateway(c.gateway_id);
  if (gateway == nullptr) {
    return Status::NotFound("gateway " + c.gateway_id +
                            " is unknown: it has no auto-refresh setting and no agent reports "
                            "through it");
  }
  if (!c.fingerprint.empty()) {
    const CertificateState* cert = state.FindCertificate(c.fingerprint);
    if (cert == nullptr) {
      return Status::NotFound("certificate " + c.fingerprint + " is not registered");
    }
    if (cert->kind != CertificateKind::kGatewayReporting) {
      return Status::FailedPrecondition("certificate " + c.fingerprint + " is a " +
                                        std::string(CertificateKindName(cert->kind)) +
                                        " certificate, not a gateway reporting certificate");
    }
  }
  for (const auto& [id, r] : state.rollouts) {
    if (r.type == RolloutKind::kRenewal && r.gateway_id == c.gateway_id && IsActive(state, r)) {
      return Status::FailedPrecondition("gateway " + c.gateway_id +
                                        " already has an active reporting certificate renewal, "
                                        "rollout " +
                                        id + "; refresh the gateway to complete it");
    }
  }
  Decision d(c.actor, c.now);
  d.Add(RenewalInitiated{
      c.rollout_id, RenewalTarget::kGatewayReportingCertificate, c.fingerprint, {}, c.gateway_id});
  if (!gateway->auto_refresh) {
    d.Add(GatewayRefreshRequired{c.gateway_id, c.rollout_id, GatewayRefreshStep::kAfterInitiate});
  }
  return d;
}

Result<Decision> Decide(const RecordRenewedCertificate& c, const DomainState& state) {
  ROTOR_RETURN_IF_ERROR(CheckRecordFields(c));
  Result<const RolloutState*> found = LookupRollout(state, c.rollout_id);
  if (!found.ok()) return found.status();
  const RolloutState& r = **found;
  if (r.type != RolloutKind::kRenewal || r.target != RenewalTarget::kCemAgentCertificates) {
    return Status::FailedPrecondition("rollout " + r.id +
                                      " is not a renewal of CEM agent certificates");
  }
  Result<const AgentState*> agent = LookupAgent(state, c.agent_id);
  if (!agent.ok()) return agent.status();
  FingerprintId renewed = state.RenewedIn(r, **agent);
  if (renewed != kNoFingerprint && state.fingerprints.Get(renewed) == c.new_fingerprint) {
    return Decision();
  }
  ROTOR_RETURN_IF_ERROR(CheckRenewable(state, c.agent_id));
  if (!IsCounted(state, r, **agent)) {
    return Status::FailedPrecondition("agent " + c.agent_id + " is not a target of renewal " +
                                      r.id);
  }
  if (c.not_after <= c.now) {
    return Status::FailedPrecondition("renewed certificate " + c.new_fingerprint + " expired at " +
                                      FormatTime(c.not_after));
  }
  Decision d(c.actor, c.now);
  d.Add(AgentCertificateRenewed{r.id, c.agent_id, c.old_fingerprint, c.new_fingerprint,
                                c.serial_hex, c.not_after, c.issued_by_rotor, c.der});
  return d;
}

}  // namespace rotor::domain
