// Renewals: RenewCemAgentCertificates, RenewGatewayReportingCertificate and
// RecordRenewedCertificate. Given / When / Then.
#include "services/domain/progress.h"
#include "tests/services/domain/domain_test_util.h"

namespace rotor::domain::testing {
namespace {

class RenewalTest : public DeciderTest {
 protected:
  void SetUp() override {
    Given({Reported("rep-1", "a1", Day(-1), {Old("a1")}, "gw1", true),
           Reported("rep-2", "a2", Day(-1), {Old("a2")}, "gw1", true),
           Reported("rep-3", "a3", Day(-1), {}, "", false)});
  }
  static std::string Old(const std::string& agent) {
    return FakeCertificate("old-" + agent, Day(-300), Day(30)).fingerprint;
  }
  static std::string Renewed(const std::string& agent) {
    return FakeCertificate("renewed-" + agent, T0(), Day(365)).fingerprint;
  }
  static RenewCemAgentCertificates Renew(std::vector<std::string> agents = {}) {
    return RenewCemAgentCertificates{"n1", std::move(agents), "alice", T0()};
  }
  static RecordRenewedCertificate Record(const std::string& agent, std::string rollout = "n1") {
    return RecordRenewedCertificate{std::move(rollout), agent, Old(agent), Renewed(agent), "1f",
                                    Day(365),           true,  "",         "system:ca",    T0()};
  }
  static AgentCertificateRenewed Renewal(const std::string& agent) {
    return AgentCertificateRenewed{"n1", agent,    Old(agent), Renewed(agent),
                                   "1f", Day(365), true,       ""};
  }
  RolloutProgress Progress() { return ComputeProgress(state_, *state_.FindRollout("n1")); }
};

TEST_F(RenewalTest, RenewsEveryCloudEnabledAgent) {
  When(Renew());
  ThenEvents({RenewalInitiated{"n1", RenewalTarget::kCemAgentCertificates, "", {}, ""}});
  Apply();
  EXPECT_EQ(Progress().total, 2u) << "a1 and a2 are cloud-enabled, a3 is not";
}

TEST_F(RenewalTest, RenewsTheListedAgents) {
  When(Renew({"a2", "a1", "a2"}));
  ThenEvents({RenewalInitiated{"n1", RenewalTarget::kCemAgentCertificates, "", {"a1", "a2"}, ""}});
}

TEST_F(RenewalTest, RepeatingChangesNothing) {
  When(Renew({"a1"}));
  ThenRepeatingChangesNothing();
}

TEST_F(RenewalTest, ARolloutIdTakenByAnotherRolloutIsRefused) {
  Given({RenewalInitiated{"n1", RenewalTarget::kCemAgentCertificates, "", {"a1"}, ""}});
  When(Renew({"a2"}));
  ThenError(StatusCode::kAlreadyExists,
            "rollout n1 already exists with different parameters; choose another rollout id");
}

TEST_F(RenewalTest, RefusesAnUnknownAgent) {
  When(Renew({"a9"}));
  ThenError(StatusCode::kNotFound,
            "agent a9 is unknown: it has never reported and holds no registered certificate");
}

TEST_F(RenewalTest, RefusesAnAgentThatIsNotCloudEnabled) {
  When(Renew({"a3"}));
  ThenError(StatusCode::kFailedPrecondition,
            "agent a3 is not cloud-enabled; only cloud-enabled agents hold CEM agent "
            "certificates");
}

TEST_F(RenewalTest, RefusesARevokedAgent) {
  Given({CertificateRevoked{"a1", "", 1, "", Day(-1)}});
  When(Renew({"a1"}));
  ThenError(StatusCode::kFailedPrecondition,
            "agent a1's CEM certificate is revoked; a revoked agent is not renewed");
}

TEST_F(RenewalTest, RefusesWhenNoAgentIsCloudEnabled) {
  Given({AgentResourceDeleted{"a1", ""}, AgentResourceDeleted{"a2", ""}});
  When(Renew());
  ThenError(StatusCode::kFailedPrecondition,
            "rollout n1: no cloud-enabled agent to renew (none has reported in cloud-enabled "
            "mode, or all are deleted or revoked)");
}

TEST_F(RenewalTest, RecordsTheCertificateRenewedForAnAgent) {
  Given({RenewalInitiated{"n1", RenewalTarget::kCemAgentCertificates, "", {}, ""}});
  When(Record("a1"));
  ThenEvents({Renewal("a1")});
  EXPECT_EQ(Decided().appends[0].stream_id, "agent-a1");
  Apply();
  EXPECT_EQ(state_.CemFingerprintOf(*state_.FindAgent("a1")), Renewed("a1"));
}

TEST_F(RenewalTest, RecordingTwiceChangesNothing) {
  Given({RenewalInitiated{"n1", RenewalTarget::kCemAgentCertificates, "", {}, ""}});
  When(Record("a1"));
  ThenRepeatingChangesNothing();
}

TEST_F(RenewalTest, ProgressCountsAgentsWhoseReportsShowTheRenewedCertificate) {
  Given({RenewalInitiated{"n1", RenewalTarget::kCemAgentCertificates, "", {}, ""}, Renewal("a1"),
         Renewal("a2")});
  EXPECT_EQ(Progress().received, 0u) << "issued is not received";
  Given({Reported("rep-4", "a1", T0(), {Renewed("a1")}, "gw1", true)});
  RolloutProgress p = Progress();
  EXPECT_EQ(p.total, 2u);
  EXPECT_EQ(p.received, 1u);
  EXPECT_EQ(std::string(RolloutStatusName(StatusOf(state_, *state_.FindRollout("n1")))),
            "distributing");
  Given({Reported("rep-5", "a2", T0(), {Renewed("a2")}, "gw1", true)});
  EXPECT_EQ(std::string(RolloutStatusName(StatusOf(state_, *state_.FindRollout("n1")))),
            "completed");
}

TEST_F(RenewalTest, RecordingForAnAgentThatIsNotTargetedIsRefused) {
  Given({RenewalInitiated{"n1", RenewalTarget::kCemAgentCertificates, "", {"a1"}, ""}});
  When(Record("a2"));
  ThenError(StatusCode::kFailedPrecondition, "agent a2 is not a target of renewal n1");
}

TEST_F(RenewalTest, RecordingForAReplacementIsRefused) {
  Given({ReplacementInitiated{"r1", Old("a1"), Renewed("a1"), CertificateKind::kServerWeb,
                              ReplacementMode::kDirect, 0}});
  When(Record("a1", "r1"));
  ThenError(StatusCode::kFailedPrecondition,
            "rollout r1 is not a renewal of CEM agent certificates");
}

TEST_F(RenewalTest, RecordingForAnUnknownRolloutIsNotFound) {
  When(Record("a1", "n9"));
  ThenError(StatusCode::kNotFound, "rollout n9 does not exist");
}

TEST_F(RenewalTest, RecordingAnExpiredCertificateIsRefused) {
  Given({RenewalInitiated{"n1", RenewalTarget::kCemAgentCertificates, "", {}, ""}});
  RecordRenewedCertificate c = Record("a1");
  c.not_after = Day(-1);
  When(c);
  ThenError(StatusCode::kFailedPrecondition,
            "renewed certificate " + Renewed("a1") + " expired at 2026-10-31T00:00:00Z");
}

TEST_F(RenewalTest, RecordingForARevokedAgentIsRefused) {
  Given({RenewalInitiated{"n1", RenewalTarget::kCemAgentCertificates, "", {}, ""},
         CertificateRevoked{"a1", "", 1, "", Day(-1)}});
  When(Record("a1"));
  ThenError(StatusCode::kFailedPrecondition,
            "agent a1's CEM certificate is revoked; a revoked agent is not renewed");
}

TEST_F(RenewalTest, RecordingDerThatDoesNotMatchTheFingerprintIsRefused) {
  Given({RenewalInitiated{"n1", RenewalTarget::kCemAgentCertificates, "", {}, ""}});
  RecordRenewedCertificate c = Record("a1");
  c.der = "some other bytes";
  When(c);
  ThenError(StatusCode::kInvalidArgument, "renewed certificate fingerprint " + Renewed("a1") +
                                              " is not the SHA-256 of its DER bytes");
}

TEST_F(RenewalTest, AGatewayRenewalNeedsAKnownGateway) {
  When(RenewGatewayReportingCertificate{"n1", "gw9", "", "alice", T0()});
  ThenError(StatusCode::kNotFound,
            "gateway gw9 is unknown: it has no auto-refresh setting and no agent reports "
            "through it");
}

TEST_F(RenewalTest, AGatewayRenewalRefusesACertificateOfAnotherKind) {
  Given({Registered(WebOld(), CertificateKind::kServerWeb)});
  When(RenewGatewayReportingCertificate{"n1", "gw1", WebOld().fingerprint, "alice", T0()});
  ThenError(StatusCode::kFailedPrecondition,
            "certificate " + WebOld().fingerprint +
                " is a server-web certificate, not a gateway reporting certificate");
}

TEST_F(RenewalTest, AGatewayHasOneActiveReportingCertificateRenewal) {
  Given({RenewalInitiated{"n1", RenewalTarget::kGatewayReportingCertificate, "", {}, "gw1"},
         GatewayRefreshRequired{"gw1", "n1", GatewayRefreshStep::kAfterInitiate}});
  When(RenewGatewayReportingCertificate{"n2", "gw1", "", "alice", T0()});
  ThenError(StatusCode::kFailedPrecondition,
            "gateway gw1 already has an active reporting certificate renewal, rollout n1; "
            "refresh the gateway to complete it");
}

TEST_F(RenewalTest, RepeatingAGatewayRenewalChangesNothing) {
  When(RenewGatewayReportingCertificate{"n1", "gw1", "", "alice", T0()});
  ThenRepeatingChangesNothing();
}

}  // namespace
}  // namespace rotor::domain::testing
