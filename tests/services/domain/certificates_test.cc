// RegisterCertificate: Given / When / Then.
#include <gmock/gmock.h>

#include "services/pki/certificate_parser.h"
#include "tests/services/domain/domain_test_util.h"
#include "tests/services/pki/test_certificates.h"

namespace rotor::domain::testing {
namespace {

class RegisterCertificateTest : public DeciderTest {
 protected:
  RegisterCertificate Register(const CertificateInfo& info,
                               CertificateKind kind = CertificateKind::kServerWeb) {
    return RegisterCertificate{info, kind, "", "alice", T0()};
  }
};

TEST_F(RegisterCertificateTest, RecordsTheCertificatesFacts) {
  When(Register(WebNew()));
  ThenEvents({Registered(WebNew(), CertificateKind::kServerWeb)});
  EXPECT_EQ(Decided().appends[0].stream_id, "certificate-" + WebNew().fingerprint);
  EXPECT_EQ(Decided().actor, "alice");
  EXPECT_EQ(Decided().recorded_at, T0());
}

TEST_F(RegisterCertificateTest, RegistersARealCertificateParsedFromPem) {
  rotor::testing::TestCertificateOptions options;
  options.common_name = "ns.example.com";
  options.not_before = Day(-1);
  options.not_after = Day(365);
  auto pem = rotor::testing::MakeTestCertificate(options).pem;
  Result<CertificateInfo> info = pki::ParseCertificate(pem);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  When(Register(*info, CertificateKind::kCemRoot));
  ThenEvents({Registered(*info, CertificateKind::kCemRoot)});
  EXPECT_EQ(std::get<CertificateRegistered>(Decided().Events()[0]).subject, "CN=ns.example.com");
}

TEST_F(RegisterCertificateTest, GarbageBytesNeverBecomeACommand) {
  Result<CertificateInfo> info = pki::ParseCertificate("garbage, not a certificate");
  EXPECT_EQ(info.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(RegisterCertificateTest, RefusesAFingerprintThatIsNotTheHashOfTheDer) {
  CertificateInfo forged = WebNew();
  forged.der = "other bytes";
  When(Register(forged));
  ThenError(StatusCode::kInvalidArgument, "certificate fingerprint " + forged.fingerprint +
                                              " is not the SHA-256 of its DER bytes");
}

TEST_F(RegisterCertificateTest, RefusesADuplicate) {
  Given({Registered(WebNew(), CertificateKind::kServerWeb)});
  When(Register(WebNew(), CertificateKind::kCemRoot));
  ThenError(StatusCode::kAlreadyExists, "certificate " + WebNew().fingerprint +
                                            " is already registered as a server-web certificate "
                                            "(subject CN=web-new)");
}

TEST_F(RegisterCertificateTest, RefusesAnExpiredCertificate) {
  CertificateInfo expired = FakeCertificate("expired", Day(-400), Day(-1));
  When(Register(expired));
  ThenError(StatusCode::kFailedPrecondition,
            "certificate " + expired.fingerprint +
                " (subject CN=expired) expired at 2026-10-31T00:00:00Z; now is "
                "2026-11-01T00:00:00Z");
}

TEST_F(RegisterCertificateTest, RefusesAnUnspecifiedKind) {
  When(Register(WebNew(), CertificateKind::kUnspecified));
  ThenErrorContains(StatusCode::kInvalidArgument, "certificate kind is unspecified");
}

TEST_F(RegisterCertificateTest, RefusesAnAgentOnACertificateThatIsNotACemAgentCertificate) {
  RegisterCertificate c = Register(WebNew());
  c.agent_id = "a1";
  When(c);
  ThenError(StatusCode::kInvalidArgument,
            "only a cem-agent certificate names an agent; "
            "certificate " +
                WebNew().fingerprint + " is server-web");
}

TEST_F(RegisterCertificateTest, BindsACemAgentCertificateToItsAgent) {
  RegisterCertificate c = Register(AgentCert(), CertificateKind::kCemAgent);
  c.agent_id = "a1";
  When(c);
  ThenEvents({Registered(AgentCert(), CertificateKind::kCemAgent, "a1")});
  Apply();
  EXPECT_EQ(state_.CemFingerprintOf(*state_.FindAgent("a1")), AgentCert().fingerprint);
}

TEST_F(RegisterCertificateTest, RefusesAnAnonymousActor) {
  RegisterCertificate c = Register(WebNew());
  c.actor = "";
  When(c);
  ThenError(StatusCode::kInvalidArgument, "actor is empty; every change must name who made it");
}

TEST_F(RegisterCertificateTest, RepeatingIsRefusedAsADuplicateAndAppendsNothing) {
  When(Register(WebNew()));
  ThenRepeatingChangesNothing(StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace rotor::domain::testing
