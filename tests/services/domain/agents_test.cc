// Agents: RevokeAgentCertificate, FlagStaleAgents and DeleteAgentResource.
// Given / When / Then.
#include "services/domain/progress.h"
#include "tests/services/domain/domain_test_util.h"

namespace rotor::domain::testing {
namespace {

class AgentTest : public DeciderTest {
 protected:
  void SetUp() override {
    Given({Registered(WebOld(), CertificateKind::kServerWeb),
           Registered(WebNew(), CertificateKind::kServerWeb),
           Registered(AgentCert(), CertificateKind::kCemAgent, "a1"),
           Reported("rep-1", "a1", Day(-10), {kOld, AgentCert().fingerprint}, "gw1", true),
           Reported("rep-2", "a2", Day(-10), {kOld}), Reported("rep-3", "a3", Day(-1), {kOld}),
           // Holds only the new certificate: counted in no replacement.
           Reported("rep-4", "a4", Day(-10), {kNew})});
  }
  static FlagStaleAgents Flag(Micros threshold = Days(7)) {
    FlagStaleAgents c;
    c.threshold = threshold;
    c.now = T0();
    return c;
  }
  static AgentFlaggedStale Flagged(std::string agent) {
    return AgentFlaggedStale{std::move(agent), Day(-10), T0(), uint64_t{7} * 86400};
  }
  const std::string& kOld = WebOld().fingerprint;
  const std::string& kNew = WebNew().fingerprint;
};

TEST_F(AgentTest, RevokingRecordsTheAgentsCemCertificateAtOnce) {
  When(RevokeAgentCertificate{"a1", 1, "alice", T0()});
  ThenEvents({CertificateRevoked{"a1", AgentCert().fingerprint, 1, "0a", T0()}});
  EXPECT_EQ(Decided().appends[0].stream_id, "agent-a1");
  Apply();
  EXPECT_TRUE(state_.FindAgent("a1")->revoked);
}

TEST_F(AgentTest, RevokingIsIdempotent) {
  When(RevokeAgentCertificate{"a1", 1, "alice", T0()});
  ThenRepeatingChangesNothing();
}

TEST_F(AgentTest, RevokingAgainWithAnotherReasonChangesNothing) {
  Given({CertificateRevoked{"a1", AgentCert().fingerprint, 1, "0a", Day(-1)}});
  When(RevokeAgentCertificate{"a1", 4, "alice", T0()});
  ThenNoEvents();
}

TEST_F(AgentTest, RevokingAnUnknownAgentIsNotFound) {
  When(RevokeAgentCertificate{"a9", 1, "alice", T0()});
  ThenError(StatusCode::kNotFound,
            "agent a9 is unknown: it has never reported and holds no registered certificate");
}

TEST_F(AgentTest, RevokingRefusesReasonCodeSeven) {
  When(RevokeAgentCertificate{"a1", 7, "alice", T0()});
  ThenError(StatusCode::kInvalidArgument,
            "reason code 7 is not an RFC 5280 CRLReason (0..10 except 7 and 8)");
}

TEST_F(AgentTest, RevokingRefusesRemoveFromCrlAndSaysWhy) {
  When(RevokeAgentCertificate{"a1", 8, "alice", T0()});
  ThenErrorContains(StatusCode::kInvalidArgument,
                    "reason code 8 (removeFromCRL) cannot be given at revocation");
}

TEST_F(AgentTest, RevokingRefusesAReasonCodeAboveTen) {
  When(RevokeAgentCertificate{"a1", 11, "alice", T0()});
  ThenErrorContains(StatusCode::kInvalidArgument, "reason code 11 is not an RFC 5280 CRLReason");
}

TEST_F(AgentTest, RevokingAcceptsEveryReasonAFullCrlAllows) {
  for (uint32_t code : {0u, 1u, 2u, 3u, 4u, 5u, 6u, 9u, 10u}) {
    When(RevokeAgentCertificate{"a1", code, "alice", T0()});
    EXPECT_TRUE(result_->ok()) << code << ": " << result_->status().ToString();
  }
}

TEST_F(AgentTest, FlagsAgentsCountedInAnActiveRolloutThatStoppedReporting) {
  Given({WebReplacement("r1")});
  When(Flag());
  // a3 reported a day ago; a4 does not count in r1.
  ThenEvents({Flagged("a1"), Flagged("a2")});
  EXPECT_EQ(Decided().appends.size(), 2u);
  EXPECT_EQ(Decided().actor, "system:sweeper");
  Apply();
  EXPECT_EQ(ComputeProgress(state_, *state_.FindRollout("r1")).stale, 2u);
}

TEST_F(AgentTest, FlagsNothingWithoutAnActiveRollout) {
  Given({WebReplacement("r1"), ReplacementCancelled{"r1", ""}});
  When(Flag());
  ThenNoEvents();
}

TEST_F(AgentTest, FlagsAgentsCountedInAnActiveRenewal) {
  Given({RenewalInitiated{"n1", RenewalTarget::kCemAgentCertificates, "", {}, ""}});
  When(Flag());
  ThenEvents({Flagged("a1")});
}

TEST_F(AgentTest, FlaggingTwiceChangesNothing) {
  Given({WebReplacement("r1")});
  When(Flag());
  ThenRepeatingChangesNothing();
}

TEST_F(AgentTest, ADeletedAgentIsNotFlagged) {
  Given({WebReplacement("r1"), AgentResourceDeleted{"a2", "retired"}});
  When(Flag());
  ThenEvents({Flagged("a1")});
}

TEST_F(AgentTest, FlaggingRefusesANonPositiveThreshold) {
  When(Flag(Micros(0)));
  ThenError(StatusCode::kInvalidArgument, "stale threshold must be positive, got 0 seconds");
}

TEST_F(AgentTest, TheFlagStaysUntilANewerReport) {
  Given({WebReplacement("r1"), Flagged("a2")});
  Given({Reported("rep-old", "a2", Day(-12), {kOld})});
  EXPECT_TRUE(state_.FindAgent("a2")->stale);
  When(IngestAgentReport{Report("rep-new", "a2", T0(), {kOld}), T0(), "relay-1"});
  ThenEvents({Reported("rep-new", "a2", T0(), {kOld}), AgentStaleCleared{"a2", "rep-new", T0()}});
}

TEST_F(AgentTest, DeletingAnAgentTakesItOutOfEveryStatistic) {
  Given({WebReplacement("r1"), Flagged("a2")});
  ASSERT_EQ(ComputeProgress(state_, *state_.FindRollout("r1")).total, 3u);
  When(DeleteAgentResource{"a2", "laptop retired", "alice", T0()});
  ThenEvents({AgentResourceDeleted{"a2", "laptop retired"}});
  Apply();
  RolloutProgress p = ComputeProgress(state_, *state_.FindRollout("r1"));
  EXPECT_EQ(p.total, 2u);
  EXPECT_EQ(p.stale, 0u);
  EXPECT_FALSE(state_.FindAgent("a2")->stale) << "deletion clears the flag";
}

TEST_F(AgentTest, DeletingTwiceChangesNothing) {
  When(DeleteAgentResource{"a2", "", "alice", T0()});
  ThenRepeatingChangesNothing();
}

TEST_F(AgentTest, DeletingAnUnknownAgentIsNotFound) {
  When(DeleteAgentResource{"a9", "", "alice", T0()});
  ThenError(StatusCode::kNotFound,
            "agent a9 is unknown: it has never reported and holds no registered certificate");
}

}  // namespace
}  // namespace rotor::domain::testing
