// FleetProjection semantics, event by event, folded straight into the
// projection (no log): which agents count, stale and deleted agents, revoked
// agents, the rollout states, renewals, certificates, and the audit timeline.
#include "projections/fleet_projection.h"

#include <gtest/gtest.h>

#include "projections/audit_projection.h"
#include "tests/projections/test_util.h"

namespace rotor::projections {
namespace {

using testing::At;
using testing::Flag;
using testing::Fp;
using testing::Register;
using testing::Replace;
using testing::Report;

const std::string kOld = Fp("old");
const std::string kNew = Fp("new");
const std::string kOther = Fp("other");

class FleetProjectionTest : public ::testing::Test {
 protected:
  void TearDown() override {
    Status s = fleet_.VerifyCounters();
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  RolloutProgress Progress(const std::string& id = "r1") {
    std::optional<RolloutProgress> p = fleet_.ProgressWithBreakdown(id);
    EXPECT_TRUE(p.has_value());
    return p.value_or(RolloutProgress{});
  }

  FleetProjection fleet_;
  AuditProjection audit_;
  testing::Folder fold_{&fleet_, &audit_};
};

TEST_F(FleetProjectionTest, AgentThatNeverReportedTheOldCertificateIsNotCounted) {
  fold_(Report("a", At(1), {kOld}), At(1));
  fold_(Report("b", At(1), {kOther}), At(1));
  fold_(Replace("r1", kOld, kNew), At(2));
  RolloutProgress p = Progress();
  EXPECT_EQ(p.total, 1u);
  EXPECT_EQ(p.not_counted, 1u);
  // An agent reporting only the new certificate is not counted either.
  fold_(Report("a", At(3), {kNew}), At(3));
  p = Progress();
  EXPECT_EQ(p.total, 0u);
  EXPECT_EQ(p.not_counted, 2u);
  EXPECT_EQ(p.summary, "0 of 0 agents received the new certificate");
}

TEST_F(FleetProjectionTest, OlderReportDoesNotOverwriteTheLatest) {
  fold_(Replace("r1", kOld, kNew), At(0));
  fold_(Report("a", At(100), {kOld, kNew}, "gw-1", "paris"), At(100));
  fold_(Report("a", At(50), {kOld}, "gw-2", "lyon"), At(101));   // older: ignored
  fold_(Report("a", At(100), {kOld}, "gw-2", "lyon"), At(102));  // as old: ignored
  RolloutProgress p = Progress();
  EXPECT_EQ(p.summary, "1 of 1 agents received the new certificate");
  std::optional<AgentView> a = fleet_.Agent("a");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->gateway_id, "gw-1");
  EXPECT_EQ(a->site, "paris");
  EXPECT_EQ(a->last_report_at, At(100));
  EXPECT_EQ(a->certificates,
            (std::vector<std::string>{std::min(kOld, kNew), std::max(kOld, kNew)}));
}

TEST_F(FleetProjectionTest, StaleAgentStaysCountedUntilItReportsAgain) {
  fold_(Report("a", At(10), {kOld}), At(10));
  fold_(Report("b", At(20), {kOld}), At(20));
  fold_(Replace("r1", kOld, kNew), At(30));
  fold_(Flag("a", At(10), At(1000)), At(1000));
  fold_(Flag("b", At(20), At(1001)), At(1001));
  RolloutProgress p = Progress();
  EXPECT_EQ(p.total, 2u);
  EXPECT_EQ(p.stale, 2u);
  EXPECT_EQ(p.stale_outstanding, 2u);
  std::vector<StaleAgent> stale = fleet_.StaleAgents();
  ASSERT_EQ(stale.size(), 2u);
  EXPECT_EQ(stale[0].agent_id, "a");  // oldest report first
  EXPECT_EQ(stale[1].agent_id, "b");
  EXPECT_EQ(stale[1].flagged_at, At(1001));
  EXPECT_EQ(stale[1].holds_up, std::vector<std::string>{"r1"});
  // A newer report clears stale; an explicit clear does too.
  fold_(Report("a", At(2000), {kOld, kNew}), At(2000));
  fold_(AgentStaleCleared{"b", "rep", At(2001)}, At(2001));
  p = Progress();
  EXPECT_EQ(p.stale, 0u);
  EXPECT_EQ(p.summary, "1 of 2 agents received the new certificate");
  EXPECT_TRUE(fleet_.StaleAgents().empty());
}

TEST_F(FleetProjectionTest, StaleFlagOlderThanTheLatestReportIsIgnored) {
  fold_(Report("a", At(10), {kOld}), At(10));
  fold_(Report("a", At(500), {kOld}), At(500));
  fold_(Flag("a", At(10), At(1000)), At(1000));  // computed before the report at 500
  EXPECT_TRUE(fleet_.StaleAgents().empty());
  EXPECT_FALSE(fleet_.Agent("a")->stale);
  fold_(Flag("a", At(500), At(1001)), At(1001));
  EXPECT_EQ(fleet_.stale_count(), 1u);
}

TEST_F(FleetProjectionTest, DeletedAgentLeavesEveryStatisticAndComesBackWhenItReports) {
  fold_(Register(kOld, CertificateKind::kServerWeb, At(86400)), At(0));
  fold_(Report("a", At(10), {kOld}, "gw-1", "paris"), At(10));
  fold_(Report("b", At(10), {kOld}, "gw-1", "paris"), At(10));
  fold_(Replace("r1", kOld, kNew), At(20));
  fold_(Flag("a", At(10), At(100)), At(100));
  fold_(AgentResourceDeleted{"a", "retired"}, At(200));
  RolloutProgress p = Progress();
  EXPECT_EQ(p.total, 1u);
  EXPECT_EQ(p.stale, 0u);
  ASSERT_EQ(p.by_gateway.size(), 1u);
  EXPECT_EQ(p.by_gateway[0].total, 1u);
  EXPECT_TRUE(fleet_.StaleAgents().empty());
  EXPECT_EQ(fleet_.Certificates()[0].holders, 1u);
  EXPECT_EQ(fleet_.live_agents(), 1u);
  EXPECT_TRUE(fleet_.Agent("a")->deleted);
  // A later report from the deleted agent: the agent is back.
  fold_(Report("a", At(300), {kOld, kNew}, "gw-1", "paris"), At(300));
  p = Progress();
  EXPECT_EQ(p.summary, "1 of 2 agents received the new certificate");
  EXPECT_FALSE(fleet_.Agent("a")->deleted);
  EXPECT_EQ(fleet_.Certificates()[0].holders, 2u);
}

TEST_F(FleetProjectionTest, RevokedAgentsAreCountedAndShown) {
  fold_(Register(Fp("cem-a"), CertificateKind::kCemAgent, At(86400), "CN=a", "a"), At(0));
  fold_(Report("a", At(1), {kOld, Fp("cem-a")}), At(1));
  fold_(Report("b", At(1), {kOld}), At(1));
  fold_(Replace("r1", kOld, kNew), At(2));
  // The agent is found from the registered certificate when the event has none.
  fold_(CertificateRevoked{"", Fp("cem-a"), 1, "01", At(3)}, At(3));
  RolloutProgress p = Progress();
  EXPECT_EQ(p.total, 2u);
  EXPECT_EQ(p.revoked, 1u);
  EXPECT_TRUE(fleet_.Agent("a")->revoked);
  EXPECT_TRUE(fleet_.Certificates()[0].revoked);
  EXPECT_TRUE(fleet_.CertificatesDueForRenewal(At(0), 3650).empty());  // revoked: not due
}

TEST_F(FleetProjectionTest, DirectReplacementMovesThroughItsStates) {
  fold_(Report("a", At(1), {kOld}), At(1));
  fold_(Report("b", At(1), {kOld}), At(1));
  fold_(Replace("r1", kOld, kNew), At(2));
  fold_(GatewayRefreshRequired{"gw-1", "r1", GatewayRefreshStep::kAfterInitiate}, At(2));
  EXPECT_EQ(Progress().status, RolloutStatus::kInitiated);
  fold_(Report("a", At(3), {kOld, kNew}), At(3));
  EXPECT_EQ(Progress().status, RolloutStatus::kDistributing);
  fold_(Report("b", At(4), {kOld, kNew}), At(4));
  // Nothing outstanding, but the after-initiate refresh is pending.
  EXPECT_EQ(Progress().status, RolloutStatus::kDistributing);
  fold_(GatewayRefreshPerformed{"gw-1", "r1", GatewayRefreshStep::kAfterInitiate, At(5), "carol"},
        At(5), "carol");
  EXPECT_EQ(Progress().status, RolloutStatus::kReadyToFinalize);
  fold_(ReplacementFinalized{"r1", 2, 2, false, "", {}, 0}, At(6), "bob");
  EXPECT_EQ(Progress().status, RolloutStatus::kFinalized);
  fold_(ReplacementCancelled{"r1", "too late"}, At(7));  // ignored: already final
  EXPECT_EQ(Progress().status, RolloutStatus::kFinalized);
}

TEST_F(FleetProjectionTest, PreStagedReplacementGoesStagedThenSwitchedThenReady) {
  fold_(Report("a", At(1), {kOld}), At(1));
  fold_(Replace("r1", kOld, kNew, ReplacementMode::kPreStaged), At(2));
  EXPECT_EQ(Progress().status, RolloutStatus::kInitiated);
  fold_(CertificateStaged{"r1", kNew, "default"}, At(3));
  fold_(Report("a", At(4), {kOld, kNew}), At(4));
  RolloutProgress p = Progress();
  EXPECT_EQ(p.status, RolloutStatus::kStaged);  // not ready before the switch
  EXPECT_TRUE(p.staged);
  EXPECT_EQ(p.received, 1u);
  fold_(BindingsSwitched{"r1", 1, 1}, At(5));
  p = Progress();
  EXPECT_TRUE(p.bindings_switched);
  EXPECT_EQ(p.status, RolloutStatus::kReadyToFinalize);
}

TEST_F(FleetProjectionTest, CancelledRolloutKeepsItsNumbers) {
  fold_(Report("a", At(1), {kOld}), At(1));
  fold_(Replace("r1", kOld, kNew), At(2));
  fold_(ReplacementCancelled{"r1", "wrong certificate"}, At(3));
  fold_(Report("b", At(4), {kOld}), At(4));
  RolloutProgress p = Progress();
  EXPECT_EQ(p.status, RolloutStatus::kCancelled);
  EXPECT_EQ(p.total, 1u);
  EXPECT_EQ(p.ended_at, At(3));
}

TEST_F(FleetProjectionTest, RenewalOfListedAgentsCountsThemUntilTheyHoldTheirNewCertificate) {
  fold_(Report("a", At(1), {Fp("cem-a1")}, "", "", true), At(1));
  fold_(Report("b", At(1), {Fp("cem-b1")}, "", "", true), At(1));
  fold_(Report("c", At(1), {Fp("cem-c1")}, "", "", true), At(1));
  fold_(RenewalInitiated{"r1", RenewalTarget::kCemAgentCertificates, "", {"a", "b"}, ""}, At(2));
  RolloutProgress p = Progress();
  EXPECT_EQ(p.kind, RolloutKind::kRenewal);
  EXPECT_EQ(p.total, 2u);
  EXPECT_EQ(p.not_counted, 1u);
  fold_(AgentCertificateRenewed{"r1", "a", Fp("cem-a1"), Fp("cem-a2"), "02", At(86400), true, ""},
        At(3));
  EXPECT_EQ(Progress().received, 0u);  // issued, not yet in the agent's inventory
  fold_(Report("a", At(4), {Fp("cem-a2")}, "", "", true), At(4));
  p = Progress();
  EXPECT_EQ(p.summary, "1 of 2 agents received a renewed certificate");
  EXPECT_EQ(p.status, RolloutStatus::kDistributing);
  fold_(AgentResourceDeleted{"b", "lost"}, At(5));
  p = Progress();
  EXPECT_EQ(p.summary, "1 of 1 agents received a renewed certificate");
  EXPECT_EQ(p.status, RolloutStatus::kCompleted);
  // The renewed certificate is listed, held by one agent.
  std::vector<CertificateView> certs = fleet_.Certificates();
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_EQ(certs[0].fingerprint, Fp("cem-a2"));
  EXPECT_EQ(certs[0].agent_id, "a");
  EXPECT_EQ(certs[0].holders, 1u);
}

TEST_F(FleetProjectionTest, RenewalOfAllCloudEnabledAgents) {
  fold_(Report("a", At(1), {Fp("cem-a1")}, "", "", true), At(1));
  fold_(Report("b", At(1), {Fp("cem-b1")}, "", "", false), At(1));
  fold_(RenewalInitiated{"r1", RenewalTarget::kCemAgentCertificates, "", {}, ""}, At(2));
  EXPECT_EQ(Progress().total, 1u);
  fold_(Report("b", At(3), {Fp("cem-b1")}, "", "", true), At(3));  // now cloud-enabled
  EXPECT_EQ(Progress().total, 2u);
}

TEST_F(FleetProjectionTest, GatewayRenewalCompletesWhenTheGatewayIsRefreshed) {
  fold_(
      RenewalInitiated{"r1", RenewalTarget::kGatewayReportingCertificate, Fp("gw-rep"), {}, "gw-1"},
      At(1));
  fold_(GatewayRefreshRequired{"gw-1", "r1", GatewayRefreshStep::kAfterInitiate}, At(1));
  RolloutProgress p = Progress();
  EXPECT_EQ(p.status, RolloutStatus::kInitiated);
  EXPECT_EQ(p.gateway_id, "gw-1");
  EXPECT_EQ(p.certificate_kind, CertificateKind::kGatewayReporting);
  // A refresh without a rollout id satisfies every rollout waiting on the gateway.
  fold_(GatewayRefreshPerformed{"gw-1", "", GatewayRefreshStep::kUnspecified, At(2), "carol"},
        At(2));
  EXPECT_EQ(Progress().status, RolloutStatus::kCompleted);
}

TEST_F(FleetProjectionTest, CertificatesDueForRenewalWithinNDays) {
  fold_(Register(Fp("soon"), CertificateKind::kServerWeb, At(10 * 86400)), At(0));
  fold_(Register(Fp("later"), CertificateKind::kCemRoot, At(100 * 86400)), At(0));
  fold_(Register(Fp("expired"), CertificateKind::kCemAgent, At(-86400)), At(0));
  fold_(Report("a", At(1), {Fp("soon"), Fp("later")}), At(1));
  fold_(Report("b", At(1), {Fp("later")}), At(1));
  std::vector<CertificateView> all = fleet_.Certificates();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].fingerprint, Fp("expired"));
  EXPECT_EQ(all[1].fingerprint, Fp("soon"));
  EXPECT_EQ(all[1].holders, 1u);
  EXPECT_EQ(all[2].holders, 2u);
  std::vector<CertificateView> due = fleet_.CertificatesDueForRenewal(At(0), 30);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].fingerprint, Fp("expired"));
  EXPECT_EQ(due[1].fingerprint, Fp("soon"));
  EXPECT_EQ(fleet_.CertificatesDueForRenewal(At(0), 9).size(), 1u);
  EXPECT_EQ(fleet_.CertificatesDueForRenewal(At(0), 100).size(), 3u);
}

TEST_F(FleetProjectionTest, AuditTimelineListsEveryActionWithItsActorAndTime) {
  fold_(Replace("r1", kOld, kNew), At(1), "alice");
  fold_(Report("a", At(2), {kOld}), At(2), "agent:a");  // not a rollout action
  fold_(GatewayRefreshRequired{"gw-1", "r1", GatewayRefreshStep::kAfterInitiate}, At(3), "rotor");
  fold_(GatewayRefreshPerformed{"gw-1", "r1", GatewayRefreshStep::kAfterInitiate, At(4), "carol"},
        At(4), "carol");
  fold_(ReplacementFinalized{"r1", 0, 1, true, "window closing", {"a"}, 0}, At(5), "bob");
  std::vector<AuditEntry> t = audit_.Timeline("r1");
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0].action, "replacement initiated");
  EXPECT_EQ(t[0].actor, "alice");
  EXPECT_EQ(t[0].recorded_at, At(1));
  EXPECT_EQ(t[0].sequence, 1u);
  EXPECT_EQ(t[1].action, "gateway refresh required");
  EXPECT_EQ(t[2].action, "gateway refresh performed");
  EXPECT_EQ(t[2].actor, "carol");
  EXPECT_EQ(t[3].action, "replacement finalized (forced)");
  EXPECT_EQ(t[3].actor, "bob");
  EXPECT_EQ(t[3].detail, "0 of 1 agents received the new certificate; reason: window closing");
  EXPECT_TRUE(audit_.Timeline("nope").empty());
}

TEST_F(FleetProjectionTest, ProgressQueriesOfUnknownRolloutsAndAgentsAreEmpty) {
  EXPECT_FALSE(fleet_.Progress("nope").has_value());
  EXPECT_FALSE(fleet_.Agent("nope").has_value());
  fold_(AgentStaleCleared{"nope", "", At(1)}, At(1));  // unknown agent: nothing to clear
  EXPECT_EQ(fleet_.agent_count(), 0u);
}

}  // namespace
}  // namespace rotor::projections
