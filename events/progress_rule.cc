#include "events/progress_rule.h"

namespace rotor {

std::string_view RolloutKindName(RolloutKind kind) {
  return kind == RolloutKind::kRenewal ? "renewal" : "replacement";
}

AgentContribution Contribute(const RolloutFacts& rollout, const AgentFacts& agent) {
  AgentContribution c;
  if (agent.deleted) return c;
  if (rollout.kind == RolloutKind::kReplacement) {
    c.counted = agent.reported && agent.holds_old;
  } else if (rollout.target == RenewalTarget::kCemAgentCertificates && !agent.revoked) {
    c.counted = rollout.explicit_targets ? agent.targeted : agent.reported && agent.cloud_enabled;
  }
  c.received = c.counted && agent.holds_new;
  c.stale = c.counted && agent.stale;
  c.revoked = c.counted && agent.revoked;
  c.uncounted = agent.reported && !c.counted;
  return c;
}

void ProgressCounters::Add(const AgentContribution& c, int sign) {
  auto d = static_cast<uint64_t>(static_cast<int64_t>(sign));
  if (c.uncounted) not_counted += d;
  if (!c.counted) return;
  total += d;
  if (c.received) received += d;
  if (c.stale) stale += d;
  if (c.stale && !c.received) stale_outstanding += d;
  if (c.revoked) revoked += d;
}

std::string_view RolloutStatusName(RolloutStatus status) {
  switch (status) {
    case RolloutStatus::kInitiated:
      return "initiated";
    case RolloutStatus::kStaged:
      return "staged";
    case RolloutStatus::kDistributing:
      return "distributing";
    case RolloutStatus::kReadyToFinalize:
      return "ready to finalize";
    case RolloutStatus::kFinalized:
      return "finalized";
    case RolloutStatus::kFinalizedRefreshPending:
      return "finalized, gateway refresh pending";
    case RolloutStatus::kCancelled:
      return "cancelled";
    case RolloutStatus::kCompleted:
      return "completed";
  }
  return "unknown";
}

RolloutStatus StatusOf(const LifecycleFacts& l, const ProgressCounters& counters) {
  if (l.cancelled) return RolloutStatus::kCancelled;
  if (l.finalized) {
    return l.pending_after_finalize ? RolloutStatus::kFinalizedRefreshPending
                                    : RolloutStatus::kFinalized;
  }
  RolloutStatus moving =
      counters.received == 0 ? RolloutStatus::kInitiated : RolloutStatus::kDistributing;
  if (l.kind == RolloutKind::kRenewal) {
    return counters.Outstanding() == 0 && !l.pending_any ? RolloutStatus::kCompleted : moving;
  }
  if (l.pre_staged && !l.switched) {
    return l.staged ? RolloutStatus::kStaged : RolloutStatus::kInitiated;
  }
  if (counters.Outstanding() == 0 && !l.pending_after_initiate) {
    return RolloutStatus::kReadyToFinalize;
  }
  return moving;
}

}  // namespace rotor
