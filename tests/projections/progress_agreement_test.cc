// Property: the finalize gate and the dashboard give one answer. Over random
// histories (history_gen: out-of-order reports, stale flags, deletions,
// revocations, renewals, duplicate and unknown rollouts), after every event,
// the deciders' progress (domain::ComputeProgress, which the finalize gate and
// its refusal use) equals the fleet projection's, rollout by rollout, for
// every rollout both consider active. Both call the one rule in
// events/progress_rule.h; this test catches their facts drifting apart. And
// the deciders' counters, kept incrementally by Evolve, equal a recount.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "projections/fleet_projection.h"
#include "services/domain/progress.h"
#include "services/domain/state.h"
#include "tests/projections/history_gen.h"

namespace rotor::projections {
namespace {

std::string Numbers(uint64_t total, uint64_t received, uint64_t stale, uint64_t stale_outstanding,
                    uint64_t revoked) {
  return std::to_string(received) + "/" + std::to_string(total) + " stale " +
         std::to_string(stale) + " (outstanding " + std::to_string(stale_outstanding) +
         ") revoked " + std::to_string(revoked);
}

// The deciders' incremental counters and outstanding bitmap against a recount.
std::string CompareWithRecount(const domain::DomainState& state,
                               const domain::RolloutState& rollout) {
  domain::RolloutProgress kept = domain::ComputeProgress(state, rollout, domain::kListAll);
  domain::RolloutProgress counted = domain::RecountProgress(state, rollout, domain::kListAll);
  std::sort(kept.outstanding_agent_ids.begin(), kept.outstanding_agent_ids.end());
  std::sort(counted.outstanding_agent_ids.begin(), counted.outstanding_agent_ids.end());
  if (static_cast<const ProgressCounters&>(kept) != static_cast<const ProgressCounters&>(counted)) {
    return "rollout " + rollout.id + ": kept counters differ from a recount";
  }
  if (kept.outstanding_agent_ids != counted.outstanding_agent_ids) {
    return "rollout " + rollout.id + ": kept outstanding agents differ from a recount";
  }
  return "";
}

// Compares every active rollout; returns "" or the first difference.
std::string Compare(const domain::DomainState& state, const FleetProjection& fleet) {
  for (const auto& [id, rollout] : state.rollouts) {
    if (std::string diff = CompareWithRecount(state, rollout); !diff.empty()) return diff;
    if (rollout.phase != domain::RolloutPhase::kActive) continue;
    std::optional<RolloutProgress> shown = fleet.Progress(id);
    if (!shown.has_value()) return "rollout " + id + ": unknown to the projection";
    if (shown->ended_at.has_value()) return "rollout " + id + ": ended for the projection only";
    domain::RolloutProgress gate = domain::ComputeProgress(state, rollout);
    std::string want =
        Numbers(gate.total, gate.received, gate.stale, gate.stale_outstanding, gate.revoked);
    std::string got = Numbers(shown->total, shown->received, shown->stale, shown->stale_outstanding,
                              shown->revoked);
    if (want != got) return "rollout " + id + ": gate " + want + ", projection " + got;
    if (gate.Outstanding() != shown->outstanding) return "rollout " + id + ": outstanding";
  }
  return "";
}

// Folds `seed`'s history into both; returns false (after reporting) on the first difference.
bool CheckHistory(uint64_t seed, size_t* compared) {
  testing::HistoryShape shape{.events = 40 + seed % 160,
                              .agents = 2 + seed % 15,
                              .fingerprints = 2 + seed % 5,
                              .rollouts = 1 + seed % 4};
  std::vector<testing::TimedEvent> history = testing::RandomHistory(seed, shape);
  domain::DomainState state;
  FleetProjection fleet;
  uint64_t sequence = 0;
  for (const testing::TimedEvent& e : history) {
    // Rotor's deciders always name the revoked agent. The projection also
    // attributes a nameless revocation to the agent a renewal issued the
    // certificate to, which the deciders' state does not keep: not compared.
    const auto* revoked = std::get_if<CertificateRevoked>(&e.event);
    if (revoked != nullptr && revoked->agent_id.empty()) continue;
    RecordedEvent record;
    record.sequence = ++sequence;
    record.stream_id = "test";
    record.event_type = std::string(EventTypeName(e.event));
    record.recorded_at = e.at;
    record.actor = e.actor;
    fleet.Apply(record, e.event);
    domain::Evolve(state, {record.sequence, record.stream_id, 1, e.at, e.actor}, e.event);
    std::string diff = Compare(state, fleet);
    if (!diff.empty()) {
      ADD_FAILURE() << "seed " << seed << ", after event " << sequence << " (" << record.event_type
                    << "): " << diff;
      return false;
    }
    *compared += state.rollouts.size();
  }
  return true;
}

TEST(ProgressAgreementTest, TheGateAndTheProjectionCountTheSameAgentsAtEveryStep) {
  size_t compared = 0;
  for (uint64_t seed = 1; seed <= 3000; ++seed) {
    ASSERT_TRUE(CheckHistory(seed, &compared));
  }
  EXPECT_GT(compared, 100000u) << "the histories must contain rollouts to compare";
}

}  // namespace
}  // namespace rotor::projections
