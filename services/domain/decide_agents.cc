// Deciders for agents: RevokeAgentCertificate, FlagStaleAgents and
// DeleteAgentResource. See decide.h.
#include <algorithm>

#include "services/domain/decide.h"
#include "services/domain/progress.h"
#include "services/domain/validation.h"

namespace rotor::domain {
namespace {

// Answers "is this agent counted in an active rollout?" for many agents.
class ActiveRolloutMembership {
 public:
  explicit ActiveRolloutMembership(const DomainState& state) : state_(state) {
    for (const auto& [id, rollout] : state.rollouts) {
      if (!IsActive(state, rollout)) continue;
      if (rollout.type == RolloutKind::kReplacement) {
        old_certificates_.push_back(state.fingerprints.Find(rollout.old_fingerprint));
      } else {
        renewals_.push_back(&rollout);
      }
    }
  }

  bool HasActiveRollouts() const { return !old_certificates_.empty() || !renewals_.empty(); }

  bool Counts(const AgentState& agent) const {
    if (agent.deleted) return false;
    if (std::any_of(old_certificates_.begin(), old_certificates_.end(),
                    [&](FingerprintId old) { return state_.Holds(agent, old); })) {
      return true;
    }
    return std::any_of(renewals_.begin(), renewals_.end(),
                       [&](const RolloutState* r) { return IsCounted(state_, *r, agent); });
  }

 private:
  const DomainState& state_;
  std::vector<FingerprintId> old_certificates_;
  std::vector<const RolloutState*> renewals_;
};

}  // namespace

Result<Decision> Decide(const RevokeAgentCertificate& c, const DomainState& state) {
  ROTOR_RETURN_IF_ERROR(CheckId("agent id", c.agent_id));
  ROTOR_RETURN_IF_ERROR(CheckActor(c.actor));
  constexpr uint32_t kRemoveFromCrl = 8;
  if (c.reason_code == kRemoveFromCrl) {
    return Status::InvalidArgument(
        "reason code 8 (removeFromCRL) cannot be given at revocation: it only takes a "
        "certificate off a delta CRL, and a revocation cannot be undone; use 0..6, 9 or 10");
  }
  if (CrlReasonName(c.reason_code).empty()) {
    return Status::InvalidArgument("reason code " + std::to_string(c.reason_code) +
                                   " is not an RFC 5280 CRLReason (0..10 except 7 and 8)");
  }
  Result<const AgentState*> found = LookupAgent(state, c.agent_id);
  if (!found.ok()) return found.status();
  const AgentState& a = **found;
  if (a.revoked) return Decision();
  Decision d(c.actor, c.now);
  d.Add(CertificateRevoked{c.agent_id, std::string(state.CemFingerprintOf(a)), c.reason_code,
                           std::string(state.CemSerialOf(a)), c.now});
  return d;
}

Result<Decision> Decide(const FlagStaleAgents& c, const DomainState& state) {
  ROTOR_RETURN_IF_ERROR(CheckActor(c.actor));
  if (c.threshold.count() <= 0) {
    return Status::InvalidArgument("stale threshold must be positive, got " +
                                   DurationText(c.threshold));
  }
  Decision d(c.actor, c.now);
  ActiveRolloutMembership membership(state);
  if (!membership.HasActiveRollouts()) return d;
  auto seconds =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(c.threshold).count());
  state.ForEachAgent([&](std::string_view id, const AgentState& agent) {
    if (agent.stale || agent.deleted || !agent.has_report) return;
    if (c.now - agent.last_report_at <= c.threshold) return;
    if (!membership.Counts(agent)) return;
    // Each agent has its own stream, used once in this decision.
    d.AddToNewStream(AgentFlaggedStale{std::string(id), agent.last_report_at, c.now, seconds});
  });
  return d;
}

Result<Decision> Decide(const DeleteAgentResource& c, const DomainState& state) {
  ROTOR_RETURN_IF_ERROR(CheckId("agent id", c.agent_id));
  ROTOR_RETURN_IF_ERROR(CheckActor(c.actor));
  Result<const AgentState*> found = LookupAgent(state, c.agent_id);
  if (!found.ok()) return found.status();
  if ((*found)->deleted) return Decision();
  Decision d(c.actor, c.now);
  d.Add(AgentResourceDeleted{c.agent_id, c.reason});
  return d;
}

}  // namespace rotor::domain
