// FinalizeReplacement and CancelReplacement: Given / When / Then.
#include "services/domain/progress.h"
#include "tests/services/domain/domain_test_util.h"

namespace rotor::domain::testing {
namespace {

class FinalizeTest : public DeciderTest {
 protected:
  void SetUp() override {
    Given({Registered(WebOld(), CertificateKind::kServerWeb),
           Registered(WebNew(), CertificateKind::kServerWeb), WebReplacement("r1")});
  }
  static FinalizeReplacement Finalize(std::string rollout = "r1") {
    return FinalizeReplacement{std::move(rollout), false, "", "alice", T0()};
  }
  static FinalizeReplacement Force(std::string reason) {
    return FinalizeReplacement{"r1", true, std::move(reason), "alice", T0()};
  }
  static CancelReplacement Cancel(std::string rollout = "r1") {
    return CancelReplacement{std::move(rollout), "wrong certificate", "bob", T0()};
  }
  // Agents a1..a5 report the old certificate; a1..a3 also the new one; a4 is stale.
  void GivenFiveAgents() {
    Given({Reported("rep-1", "a1", Day(-1), {kOld, kNew}),
           Reported("rep-2", "a2", Day(-1), {kOld, kNew}),
           Reported("rep-3", "a3", Day(-1), {kOld, kNew}),
           Reported("rep-4", "a4", Day(-20), {kOld}), Reported("rep-5", "a5", Day(-1), {kOld}),
           AgentFlaggedStale{"a4", Day(-20), Day(-1), 7},
           // Never reported the old certificate: not counted.
           Reported("rep-6", "a6", Day(-1), {})});
  }
  const std::string& kOld = WebOld().fingerprint;
  const std::string& kNew = WebNew().fingerprint;
};

TEST_F(FinalizeTest, FinalizesWhenEveryCountedAgentReceivedTheNewCertificate) {
  Given({Reported("rep-1", "a1", Day(-1), {kOld, kNew}), Reported("rep-2", "a2", Day(-1), {kNew})});
  When(Finalize());
  ThenEvents({ReplacementFinalized{"r1", 1, 1, false, "", {}, 0}});
  Apply();
  EXPECT_EQ(std::string(RolloutStatusName(StatusOf(state_, *state_.FindRollout("r1")))),
            "finalized");
  EXPECT_EQ(state_.FindCertificate(kOld)->replaced_by_rollout_id, "r1");
  EXPECT_EQ(state_.FindCertificate(kOld)->active_rollout_id, "");
}

TEST_F(FinalizeTest, IsRefusedWhileAgentsAreOutstandingWithTheNumbers) {
  GivenFiveAgents();
  When(Finalize());
  ThenError(StatusCode::kFailedPrecondition,
            "rollout r1: 2 of 5 agents have not received the new certificate; 1 of them are "
            "stale (outstanding: a4, a5); finalize with force and a reason to put the new "
            "certificate in use anyway");
}

TEST_F(FinalizeTest, IsRefusedWhenTheOnlyOutstandingAgentIsStale) {
  // A stale agent stays in the count until its resource is deleted.
  Given({Reported("rep-1", "a1", Day(-1), {kOld, kNew}), Reported("rep-2", "a2", Day(-20), {kOld}),
         AgentFlaggedStale{"a2", Day(-20), Day(-1), 7}});
  When(Finalize());
  ThenError(StatusCode::kFailedPrecondition,
            "rollout r1: 1 of 2 agents have not received the new certificate; 1 of them are "
            "stale (outstanding: a2); finalize with force and a reason to put the new "
            "certificate in use anyway");
}

TEST_F(FinalizeTest, ReportsTheArticlesNumbersAtFleetScale) {
  // 2393 agents report the old certificate, 2076 also the new one; 212 of the
  // 317 outstanding agents are stale.
  std::vector<Event> events;
  for (int i = 0; i < 2393; ++i) {
    std::string agent = "agent-" + std::to_string(10000 + i);
    std::vector<std::string> held = {kOld};
    if (i < 2076) held.push_back(kNew);
    events.emplace_back(Reported("rep-" + agent, agent, Day(-30), held));
    if (i >= 2393 - 212) events.emplace_back(AgentFlaggedStale{agent, Day(-30), Day(-1), 7});
  }
  Given(events);
  When(Finalize());
  ThenErrorContains(StatusCode::kFailedPrecondition,
                    "rollout r1: 317 of 2393 agents have not received the new certificate; 212 "
                    "of them are stale (outstanding: agent-12076, agent-12077, agent-12078, "
                    "agent-12079, agent-12080, agent-12081, agent-12082, agent-12083, "
                    "agent-12084, agent-12085 and 307 more)");
}

TEST_F(FinalizeTest, ADeletedAgentLeavesTheCount) {
  GivenFiveAgents();
  Given({AgentResourceDeleted{"a4", "lost"}, AgentResourceDeleted{"a5", "lost"}});
  When(Finalize());
  ThenEvents({ReplacementFinalized{"r1", 3, 3, false, "", {}, 0}});
}

TEST_F(FinalizeTest, AForcedFinalizeRecordsTheOutstandingAgents) {
  GivenFiveAgents();
  When(Force("the old certificate expires tomorrow"));
  ThenEvents({ReplacementFinalized{
      "r1", 3, 5, true, "the old certificate expires tomorrow", {"a4", "a5"}, 1}});
}

TEST_F(FinalizeTest, AForcedFinalizeNeedsAReason) {
  GivenFiveAgents();
  When(Force(""));
  ThenError(StatusCode::kInvalidArgument, "rollout r1: a forced finalize needs a reason");
}

TEST_F(FinalizeTest, ACancelledRolloutCannotBeFinalized) {
  Given({ReplacementCancelled{"r1", ""}});
  When(Finalize());
  ThenError(StatusCode::kFailedPrecondition,
            "rollout r1 is cancelled; only an active replacement can be finalized");
}

TEST_F(FinalizeTest, RepeatingChangesNothing) {
  When(Finalize());
  ThenRepeatingChangesNothing();
}

TEST_F(FinalizeTest, AnUnknownRolloutIsNotFound) {
  When(Finalize("r9"));
  ThenError(StatusCode::kNotFound, "rollout r9 does not exist");
}

TEST_F(FinalizeTest, ARenewalIsNotFinalizedAsAReplacement) {
  Given({RenewalInitiated{"n1", RenewalTarget::kCemAgentCertificates, "", {}, ""}});
  When(Finalize("n1"));
  ThenError(StatusCode::kFailedPrecondition, "rollout n1 is a renewal, not a replacement");
}

TEST_F(FinalizeTest, TheNewCertificateMustBeValidAtFinalize) {
  CertificateInfo future = FakeCertificate("web-future", Day(10), Day(400));
  Given({Registered(future, CertificateKind::kServerWeb), ReplacementCancelled{"r1", ""},
         ReplacementInitiated{"r2", kOld, future.fingerprint, CertificateKind::kServerWeb,
                              ReplacementMode::kDirect, 0}});
  When(Finalize("r2"));
  ThenError(StatusCode::kFailedPrecondition,
            "rollout r2: new certificate " + future.fingerprint +
                " is not valid before 2026-11-11T00:00:00Z; finalize after that");
}

TEST_F(FinalizeTest, CancelStopsAnActiveReplacementAndKeepsTheOldCertificate) {
  GivenFiveAgents();
  When(Cancel());
  ThenEvents({ReplacementCancelled{"r1", "wrong certificate"}});
  EXPECT_EQ(Decided().actor, "bob");
  Apply();
  EXPECT_EQ(std::string(RolloutStatusName(StatusOf(state_, *state_.FindRollout("r1")))),
            "cancelled");
  EXPECT_EQ(state_.FindCertificate(kOld)->active_rollout_id, "");
  EXPECT_EQ(state_.FindCertificate(kOld)->replaced_by_rollout_id, "") << "the old one stays";
}

TEST_F(FinalizeTest, CancelStopsAPreStagedReplacementAfterTheSwitch) {
  Given({ReplacementCancelled{"r1", ""},
         ReplacementInitiated{"r2", kOld, kNew, CertificateKind::kServerWeb,
                              ReplacementMode::kPreStaged, 1000},
         CertificateStaged{"r2", kNew, "p"}, BindingsSwitched{"r2", 0, 0}});
  When(Cancel("r2"));
  ThenEvents({ReplacementCancelled{"r2", "wrong certificate"}});
}

TEST_F(FinalizeTest, AFinalizedReplacementCannotBeCancelled) {
  Given({ReplacementFinalized{"r1", 0, 0, false, "", {}, 0}});
  When(Cancel());
  ThenError(StatusCode::kFailedPrecondition,
            "rollout r1 is finalized; a finalized replacement cannot be cancelled (the new "
            "certificate is in use)");
}

TEST_F(FinalizeTest, CancellingTwiceChangesNothing) {
  When(Cancel());
  ThenRepeatingChangesNothing();
}

TEST_F(FinalizeTest, CancellingAnUnknownRolloutIsNotFound) {
  When(Cancel("r9"));
  ThenError(StatusCode::kNotFound, "rollout r9 does not exist");
}

}  // namespace
}  // namespace rotor::domain::testing
