// InitiateReplacement: Given / When / Then.
#include "tests/services/domain/domain_test_util.h"

namespace rotor::domain::testing {
namespace {

class InitiateReplacementTest : public DeciderTest {
 protected:
  void SetUp() override {
    Given({Registered(WebOld(), CertificateKind::kServerWeb),
           Registered(WebNew(), CertificateKind::kServerWeb),
           Registered(RootOld(), CertificateKind::kCemRoot),
           Registered(RootNew(), CertificateKind::kCemRoot),
           Registered(AgentCert(), CertificateKind::kCemAgent)});
  }
  static InitiateReplacement InitiateRoot(std::string rollout_id = "r1") {
    InitiateReplacement c = InitiateWeb(std::move(rollout_id));
    c.old_fingerprint = RootOld().fingerprint;
    c.new_fingerprint = RootNew().fingerprint;
    return c;
  }
  const std::string& kOld = WebOld().fingerprint;
  const std::string& kNew = WebNew().fingerprint;
};

TEST_F(InitiateReplacementTest, StartsADirectReplacement) {
  When(InitiateWeb("r1"));
  ThenEvents({WebReplacement("r1")});
  ASSERT_EQ(Decided().appends.size(), 1u);
  EXPECT_EQ(Decided().appends[0].stream_id, "rollout-r1");
  EXPECT_EQ(Decided().appends[0].idempotency_key, "replacement:" + kOld + ":1");
  EXPECT_EQ(Decided().actor, "alice");
  Apply();
  EXPECT_EQ(state_.FindCertificate(kOld)->active_rollout_id, "r1");
  EXPECT_EQ(state_.FindRollout("r1")->initiated_by, "alice");
}

TEST_F(InitiateReplacementTest, APreStagedReplacementRequiresEveryAgentByDefault) {
  InitiateReplacement c = InitiateWeb("r1");
  c.mode = ReplacementMode::kPreStaged;
  When(c);
  ThenEvents({ReplacementInitiated{"r1", kOld, kNew, CertificateKind::kServerWeb,
                                   ReplacementMode::kPreStaged, 1000}});
}

TEST_F(InitiateReplacementTest, APreStagedReplacementKeepsAConfiguredShare) {
  InitiateReplacement c = InitiateWeb("r1");
  c.mode = ReplacementMode::kPreStaged;
  c.required_staged_permille = 900;
  When(c);
  ThenEvents({ReplacementInitiated{"r1", kOld, kNew, CertificateKind::kServerWeb,
                                   ReplacementMode::kPreStaged, 900}});
}

TEST_F(InitiateReplacementTest, ARootReplacementRequiresARefreshOfEveryManualGateway) {
  Given({GatewayAutoRefreshChanged{"gw-auto", true}, GatewayAutoRefreshChanged{"gw-manual", false},
         Reported("rep-1", "a1", Day(-1), {}, "gw-seen")});
  When(InitiateRoot("r1"));
  ThenEvents({ReplacementInitiated{"r1", RootOld().fingerprint, RootNew().fingerprint,
                                   CertificateKind::kCemRoot, ReplacementMode::kDirect, 0},
              GatewayRefreshRequired{"gw-manual", "r1", GatewayRefreshStep::kAfterInitiate},
              GatewayRefreshRequired{"gw-seen", "r1", GatewayRefreshStep::kAfterInitiate}});
  EXPECT_EQ(Decided().appends.size(), 1u) << "one atomic append to the rollout stream";
}

TEST_F(InitiateReplacementTest, AWebReplacementRequiresNoGatewayRefresh) {
  Given({GatewayAutoRefreshChanged{"gw-manual", false}});
  When(InitiateWeb("r1"));
  ThenEvents({WebReplacement("r1")});
}

TEST_F(InitiateReplacementTest, RefusesAnUnknownOldCertificate) {
  InitiateReplacement c = InitiateWeb("r1");
  c.old_fingerprint = FakeCertificate("unknown", Day(-1), Day(100)).fingerprint;
  When(c);
  ThenError(StatusCode::kNotFound, "old certificate " + c.old_fingerprint + " is not registered");
}

TEST_F(InitiateReplacementTest, RefusesAnUnknownNewCertificate) {
  InitiateReplacement c = InitiateWeb("r1");
  c.new_fingerprint = FakeCertificate("unknown", Day(-1), Day(100)).fingerprint;
  When(c);
  ThenError(StatusCode::kNotFound, "new certificate " + c.new_fingerprint + " is not registered");
}

TEST_F(InitiateReplacementTest, RefusesCertificatesOfDifferentKinds) {
  InitiateReplacement c = InitiateWeb("r1");
  c.new_fingerprint = RootNew().fingerprint;
  When(c);
  ThenError(StatusCode::kFailedPrecondition,
            "new certificate " + RootNew().fingerprint +
                " is a cem-root certificate but old certificate " + kOld +
                " is a server-web certificate; a replacement keeps the kind");
}

TEST_F(InitiateReplacementTest, RefusesToReplaceACertificateThatIsRenewed) {
  CertificateInfo other = FakeCertificate("agent-cert-2", Day(-1), Day(400));
  Given({Registered(other, CertificateKind::kCemAgent)});
  InitiateReplacement c = InitiateWeb("r1");
  c.old_fingerprint = AgentCert().fingerprint;
  c.new_fingerprint = other.fingerprint;
  When(c);
  ThenError(StatusCode::kFailedPrecondition,
            "certificate " + AgentCert().fingerprint +
                " is a cem-agent certificate; those are renewed, not replaced");
}

TEST_F(InitiateReplacementTest, RefusesANewCertificateNotValidForAUsefulTime) {
  CertificateInfo brief = FakeCertificate("brief", Day(-1), Day(10));
  Given({Registered(brief, CertificateKind::kServerWeb)});
  InitiateReplacement c = InitiateWeb("r1");
  c.new_fingerprint = brief.fingerprint;
  When(c);
  ThenError(StatusCode::kFailedPrecondition,
            "new certificate " + brief.fingerprint +
                " expires at 2026-11-11T00:00:00Z, less than 30 days after now "
                "(2026-11-01T00:00:00Z); it is not valid for a useful time");
}

TEST_F(InitiateReplacementTest, TheMinimumValidityIsConfigurable) {
  CertificateInfo brief = FakeCertificate("brief", Day(-1), Day(10));
  Given({Registered(brief, CertificateKind::kServerWeb)});
  InitiateReplacement c = InitiateWeb("r1");
  c.new_fingerprint = brief.fingerprint;
  c.min_validity = Days(7);
  When(c);
  ASSERT_TRUE(result_->ok()) << result_->status().ToString();
}

TEST_F(InitiateReplacementTest, RefusesASecondActiveReplacementOfOneCertificate) {
  CertificateInfo other = FakeCertificate("web-other", Day(-1), Day(400));
  Given({Registered(other, CertificateKind::kServerWeb), WebReplacement("r1")});
  InitiateReplacement c = InitiateWeb("r2");
  c.new_fingerprint = other.fingerprint;
  When(c);
  ThenError(StatusCode::kFailedPrecondition,
            "certificate " + kOld +
                " already has an active replacement, rollout r1; finalize or cancel it before "
                "starting another");
}

TEST_F(InitiateReplacementTest, ACancelledReplacementFreesTheCertificate) {
  Given({WebReplacement("r1"), ReplacementCancelled{"r1", "wrong certificate"}});
  When(InitiateWeb("r2"));
  ThenEvents({WebReplacement("r2")});
  EXPECT_EQ(Decided().appends[0].idempotency_key, "replacement:" + kOld + ":2");
}

TEST_F(InitiateReplacementTest, RefusesToReplaceARetiredCertificate) {
  Given({WebReplacement("r1"), ReplacementFinalized{"r1", 0, 0, false, "", {}, 0}});
  When(InitiateWeb("r2"));
  ThenError(StatusCode::kFailedPrecondition,
            "certificate " + kOld + " was already replaced by rollout r1 and is no longer in use");
}

TEST_F(InitiateReplacementTest, RefusesARolloutIdTakenByAnotherRollout) {
  Given({WebReplacement("r1"), ReplacementCancelled{"r1", ""}});
  InitiateReplacement c = InitiateRoot("r1");
  When(c);
  ThenError(StatusCode::kAlreadyExists,
            "rollout r1 already exists with different parameters; choose another rollout id");
}

TEST_F(InitiateReplacementTest, RepeatingChangesNothing) {
  When(InitiateWeb("r1"));
  ThenRepeatingChangesNothing();
}

TEST_F(InitiateReplacementTest, RefusesTheSameCertificateAsOldAndNew) {
  InitiateReplacement c = InitiateWeb("r1");
  c.new_fingerprint = kOld;
  When(c);
  ThenError(StatusCode::kInvalidArgument,
            "rollout r1: the old and the new certificate are the same (" + kOld + ")");
}

TEST_F(InitiateReplacementTest, RefusesAnUnspecifiedMode) {
  InitiateReplacement c = InitiateWeb("r1");
  c.mode = ReplacementMode::kUnspecified;
  When(c);
  ThenError(StatusCode::kInvalidArgument,
            "rollout r1: replacement mode is unspecified; use direct or pre-staged");
}

TEST_F(InitiateReplacementTest, RefusesARequiredShareOutsideOneToAThousandPermille) {
  InitiateReplacement c = InitiateWeb("r1");
  c.mode = ReplacementMode::kPreStaged;
  c.required_staged_permille = 1001;
  When(c);
  ThenError(StatusCode::kInvalidArgument,
            "rollout r1: the required staged share must be 1..1000 permille, got 1001");
}

TEST_F(InitiateReplacementTest, RefusesAMalformedFingerprint) {
  InitiateReplacement c = InitiateWeb("r1");
  c.old_fingerprint = "sha256:abc";
  When(c);
  ThenError(StatusCode::kInvalidArgument,
            "old certificate 'sha256:abc' is not a SHA-256 fingerprint (64 lower-case hex digits)");
}

TEST_F(InitiateReplacementTest, RefusesAnEmptyRolloutId) {
  When(InitiateWeb(""));
  ThenError(StatusCode::kInvalidArgument, "rollout id is empty");
}

}  // namespace
}  // namespace rotor::domain::testing
