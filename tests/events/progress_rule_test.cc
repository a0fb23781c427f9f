// The progress rule (events/progress_rule.h) on plain facts: who is counted,
// who has received, the sum of contributions, and the status vocabulary.
#include "events/progress_rule.h"

#include <gtest/gtest.h>

namespace rotor {
namespace {

constexpr RolloutFacts kReplacement{RolloutKind::kReplacement, RenewalTarget::kUnspecified, false};
constexpr RolloutFacts kFleetRenewal{RolloutKind::kRenewal, RenewalTarget::kCemAgentCertificates,
                                     false};
constexpr RolloutFacts kListedRenewal{RolloutKind::kRenewal, RenewalTarget::kCemAgentCertificates,
                                      true};
constexpr RolloutFacts kGatewayRenewal{RolloutKind::kRenewal,
                                       RenewalTarget::kGatewayReportingCertificate, false};

AgentFacts Holder(bool holds_new = false) {
  AgentFacts f;
  f.reported = true;
  f.holds_old = true;
  f.holds_new = holds_new;
  return f;
}

AgentFacts CloudAgent(bool holds_new = false) {
  AgentFacts f;
  f.reported = true;
  f.cloud_enabled = true;
  f.holds_new = holds_new;
  return f;
}

TEST(ProgressRuleTest, AReplacementCountsHoldersOfTheOldCertificate) {
  EXPECT_TRUE(Contribute(kReplacement, Holder()).counted);
  EXPECT_FALSE(Contribute(kReplacement, Holder()).received);
  EXPECT_TRUE(Contribute(kReplacement, Holder(true)).received);
  AgentFacts only_new = CloudAgent(true);
  AgentContribution c = Contribute(kReplacement, only_new);
  EXPECT_FALSE(c.counted) << "an agent that never reported the old certificate is not counted";
  EXPECT_FALSE(c.received);
  EXPECT_TRUE(c.uncounted);
}

TEST(ProgressRuleTest, StaleAndRevokedAgentsStayCountedInAReplacementUntilDeleted) {
  AgentFacts f = Holder();
  f.stale = true;
  f.revoked = true;
  AgentContribution c = Contribute(kReplacement, f);
  EXPECT_TRUE(c.counted && c.stale && c.revoked);
  f.deleted = true;
  EXPECT_EQ(Contribute(kReplacement, f), AgentContribution{}) << "deleted leaves every statistic";
}

TEST(ProgressRuleTest, ARenewalCountsCloudEnabledOrListedAgentsThatAreNotRevoked) {
  EXPECT_TRUE(Contribute(kFleetRenewal, CloudAgent()).counted);
  EXPECT_TRUE(Contribute(kFleetRenewal, CloudAgent(true)).received);
  AgentFacts on_premises = CloudAgent();
  on_premises.cloud_enabled = false;
  EXPECT_FALSE(Contribute(kFleetRenewal, on_premises).counted);
  AgentFacts revoked = CloudAgent();
  revoked.revoked = true;
  AgentContribution c = Contribute(kFleetRenewal, revoked);
  EXPECT_FALSE(c.counted) << "a revoked agent is never renewed, so it is not outstanding";
  EXPECT_FALSE(c.revoked);
  EXPECT_TRUE(c.uncounted);

  AgentFacts listed;  // never reported: listed agents count anyway
  listed.targeted = true;
  EXPECT_TRUE(Contribute(kListedRenewal, listed).counted);
  EXPECT_FALSE(Contribute(kListedRenewal, CloudAgent()).counted) << "not listed";
}

TEST(ProgressRuleTest, AGatewayRenewalCountsNoAgent) {
  AgentFacts f = CloudAgent(true);
  f.targeted = true;
  EXPECT_FALSE(Contribute(kGatewayRenewal, f).counted);
}

TEST(ProgressRuleTest, CountersAreTheSumOfContributionsAndSubtractionUndoesAnAdd) {
  ProgressCounters counters;
  AgentFacts stale = Holder();
  stale.stale = true;
  for (const AgentFacts& f : {Holder(), Holder(true), stale, CloudAgent()}) {
    counters.Add(Contribute(kReplacement, f));
  }
  EXPECT_EQ(counters.total, 3u);
  EXPECT_EQ(counters.received, 1u);
  EXPECT_EQ(counters.Outstanding(), 2u);
  EXPECT_EQ(counters.stale, 1u);
  EXPECT_EQ(counters.stale_outstanding, 1u);
  EXPECT_EQ(counters.not_counted, 1u);
  ProgressCounters before = counters;
  counters.Add(Contribute(kReplacement, stale), +1);
  counters.Add(Contribute(kReplacement, stale), -1);
  EXPECT_EQ(counters, before);
}

TEST(ProgressRuleTest, StatusNamesEveryPhaseInOneVocabulary) {
  LifecycleFacts l;
  ProgressCounters none_received{.total = 2};
  ProgressCounters some{.total = 2, .received = 1};
  ProgressCounters all{.total = 2, .received = 2};
  EXPECT_EQ(StatusOf(l, none_received), RolloutStatus::kInitiated);
  EXPECT_EQ(StatusOf(l, some), RolloutStatus::kDistributing);
  EXPECT_EQ(StatusOf(l, all), RolloutStatus::kReadyToFinalize);
  l.pending_after_initiate = l.pending_any = true;
  EXPECT_EQ(StatusOf(l, all), RolloutStatus::kDistributing);
  l.finalized = true;
  EXPECT_EQ(StatusOf(l, all), RolloutStatus::kFinalized);
  l.pending_after_finalize = true;
  EXPECT_EQ(RolloutStatusName(StatusOf(l, all)), "finalized, gateway refresh pending");

  LifecycleFacts staged{.pre_staged = true, .staged = true};
  EXPECT_EQ(StatusOf(staged, all), RolloutStatus::kStaged);
  staged.cancelled = true;
  EXPECT_EQ(StatusOf(staged, all), RolloutStatus::kCancelled);

  LifecycleFacts renewal{.kind = RolloutKind::kRenewal};
  EXPECT_EQ(StatusOf(renewal, some), RolloutStatus::kDistributing);
  EXPECT_EQ(RolloutStatusName(StatusOf(renewal, all)), "completed");
}

}  // namespace
}  // namespace rotor
