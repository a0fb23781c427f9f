// CertificateAuthority::SignCsr: issued certificates verify with OpenSSL for
// client authentication, carry Rotor's subject and extensions, and bad CSRs
// or options are refused with clear errors.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "base/hash.h"
#include "tests/services/ca/ca_test_util.h"

namespace rotor::ca {
namespace {

using testing::At;
using testing::Issue;
using testing::IssueTime;
using testing::MakeTestCa;
using testing::Options;
using testing::ParseCertPem;
using testing::Verify;
using testing::VerifyErrorString;

std::string CommonNameOf(X509_NAME* name) {
  char buf[256] = {};
  int n = X509_NAME_get_text_by_NID(name, NID_commonName, buf, sizeof(buf));
  return n < 0 ? "" : std::string(buf, static_cast<size_t>(n));
}

std::string CsrDer(const std::string& csr_pem) {
  BioPtr bio(BIO_new_mem_buf(csr_pem.data(), static_cast<int>(csr_pem.size())));
  X509ReqPtr req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  return ToDer("csr", req.get(), i2d_X509_REQ).value();
}

class SignCsrTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ca_ = new testing::TestCa(MakeTestCa()); }
  static void TearDownTestSuite() {
    delete ca_;
    ca_ = nullptr;
  }
  const CertificateAuthority& ca() { return *ca_->ca; }
  const std::string& ca_pem() { return ca_->cert_pem; }

  static testing::TestCa* ca_;
};
testing::TestCa* SignCsrTest::ca_ = nullptr;

TEST_F(SignCsrTest, IssuedCertificateVerifiesForClientAuthAgainstTheCa) {
  IssuedCertificate issued = Issue(ca(), "agent-0001", 1);
  int err = Verify({ca_pem(), issued.pem});
  EXPECT_EQ(err, X509_V_OK) << VerifyErrorString(err);
}

TEST_F(SignCsrTest, ResultDescribesTheCertificate) {
  IssuedCertificate issued = Issue(ca(), "agent-0002", 0x1234);
  EXPECT_EQ(issued.fingerprint, ToHex(Sha256(issued.der)));
  EXPECT_EQ(issued.serial_hex, "1234");
  EXPECT_EQ(issued.not_before, IssueTime());
  EXPECT_EQ(issued.not_after, IssueTime() + std::chrono::days(90));
  X509Ptr cert = ParseCertPem(issued.pem);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(ToDer("cert", cert.get(), i2d_X509).value(), issued.der);
  EXPECT_EQ(FromAsn1Time(X509_get0_notAfter(cert.get())).value(), issued.not_after);
  EXPECT_EQ(SerialHexOf(X509_get0_serialNumber(cert.get())).value(), "1234");
}

TEST_F(SignCsrTest, SubjectIsTheAgentIdFromRotorNotTheCsrSubject) {
  auto csr = MakeCsr("Domain Admins");
  ASSERT_TRUE(csr.ok());
  auto issued = ca().SignCsr(csr->first, Options("agent-0007", 7));
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  X509Ptr cert = ParseCertPem(issued->pem);
  EXPECT_EQ(CommonNameOf(X509_get_subject_name(cert.get())), "agent-0007");
  EXPECT_EQ(X509_NAME_entry_count(X509_get_subject_name(cert.get())), 1);
  EXPECT_EQ(CommonNameOf(X509_get_issuer_name(cert.get())), "Rotor Test CEM CA");
}

TEST_F(SignCsrTest, EcCertificateHasClientExtensionsAndSha256Signature) {
  X509Ptr cert = ParseCertPem(Issue(ca(), "agent-0003", 3).pem);
  uint32_t flags = X509_get_extension_flags(cert.get());
  EXPECT_NE(flags & EXFLAG_BCONS, 0u);
  EXPECT_EQ(flags & EXFLAG_CA, 0u);
  EXPECT_EQ(X509_get_key_usage(cert.get()), static_cast<uint32_t>(KU_DIGITAL_SIGNATURE));
  EXPECT_EQ(X509_get_extended_key_usage(cert.get()), static_cast<uint32_t>(XKU_SSL_CLIENT));
  EXPECT_EQ(X509_get_signature_nid(cert.get()), NID_ecdsa_with_SHA256);
  EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
  int crit = 0;
  auto* bc = static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(cert.get(), NID_basic_constraints, &crit, nullptr));
  ASSERT_NE(bc, nullptr);
  EXPECT_EQ(crit, 1);
  BASIC_CONSTRAINTS_free(bc);
  ASSERT_NE(X509_get0_subject_key_id(cert.get()), nullptr);
  X509Ptr ca_cert = ParseCertPem(ca_pem());
  const ASN1_OCTET_STRING* akid = X509_get0_authority_key_id(cert.get());
  ASSERT_NE(akid, nullptr);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(akid, X509_get0_subject_key_id(ca_cert.get())), 0);
}

TEST_F(SignCsrTest, RsaCertificateAlsoGetsKeyEncipherment) {
  IssuedCertificate issued = Issue(ca(), "agent-rsa", 4, KeyType::kRsa2048);
  X509Ptr cert = ParseCertPem(issued.pem);
  EXPECT_EQ(X509_get_key_usage(cert.get()),
            static_cast<uint32_t>(KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT));
  int err = Verify({ca_pem(), issued.pem});
  EXPECT_EQ(err, X509_V_OK) << VerifyErrorString(err);
}

TEST_F(SignCsrTest, CertificateIsNotValidForServerAuth) {
  IssuedCertificate issued = Issue(ca(), "agent-0005", 5);
  EXPECT_EQ(Verify({ca_pem(), issued.pem, {}, testing::VerifyTime(), X509_PURPOSE_SSL_SERVER}),
            X509_V_ERR_INVALID_PURPOSE);
}

TEST_F(SignCsrTest, CertificateExpiresAfterItsValidity) {
  IssuedCertificate issued = Issue(ca(), "agent-0006", 6);
  EXPECT_EQ(Verify({ca_pem(), issued.pem, {}, issued.not_after + std::chrono::hours(1)}),
            X509_V_ERR_CERT_HAS_EXPIRED);
  EXPECT_EQ(Verify({ca_pem(), issued.pem, {}, issued.not_before - std::chrono::hours(1)}),
            X509_V_ERR_CERT_NOT_YET_VALID);
}

TEST_F(SignCsrTest, OneCaIssuesFromSeveralThreadsAtOnce) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 8;
  std::vector<std::string> csrs;
  for (int i = 0; i < kThreads * kPerThread; ++i) csrs.push_back(MakeCsr("agent-mt").value().first);
  std::vector<std::string> pems(csrs.size());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t * kPerThread; i < (t + 1) * kPerThread; ++i) {
        auto issued = ca().SignCsr(csrs[i], Options("agent-mt", 100 + i));
        if (issued.ok()) pems[i] = issued->pem;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const std::string& pem : pems) EXPECT_EQ(Verify({ca_pem(), pem}), X509_V_OK);
}

TEST_F(SignCsrTest, AcceptsADerCsr) {
  auto csr = MakeCsr("agent-der");
  ASSERT_TRUE(csr.ok());
  auto issued = ca().SignCsr(CsrDer(csr->first), Options("agent-der", 8));
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_EQ(Verify({ca_pem(), issued->pem}), X509_V_OK);
}

TEST_F(SignCsrTest, TimesAreTruncatedToWholeSeconds) {
  auto csr = MakeCsr("agent-0009");
  IssueOptions options = Options("agent-0009", 9);
  options.not_before = IssueTime() + Micros(1'500'000);
  auto issued = ca().SignCsr(csr->first, options);
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_EQ(issued->not_before, IssueTime() + std::chrono::seconds(1));
  EXPECT_EQ(issued->not_after, IssueTime() + std::chrono::days(90) + std::chrono::seconds(1));
}

TEST_F(SignCsrTest, GarbageCsrIsRejected) {
  for (std::string bad : {std::string(), std::string("hello, I am a CSR"),
                          std::string("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n"
                                      "-----END CERTIFICATE REQUEST-----\n")}) {
    auto issued = ca().SignCsr(bad, Options("agent-0010", 10));
    ASSERT_FALSE(issued.ok()) << bad;
    EXPECT_EQ(issued.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(issued.status().message().find("CSR"), std::string::npos)
        << issued.status().ToString();
  }
}

TEST_F(SignCsrTest, DerCsrWithTrailingBytesIsRejected) {
  auto csr = MakeCsr("agent-0011");
  auto issued = ca().SignCsr(CsrDer(csr->first) + "xx", Options("agent-0011", 11));
  ASSERT_FALSE(issued.ok());
  EXPECT_NE(issued.status().message().find("2 unexpected bytes"), std::string::npos)
      << issued.status().ToString();
}

TEST_F(SignCsrTest, CsrWithTamperedSignatureIsRejected) {
  auto csr = MakeCsr("agent-0012");
  std::string der = CsrDer(csr->first);
  der.back() = static_cast<char>(der.back() ^ 0x01);  // Last byte of the signature.
  auto issued = ca().SignCsr(der, Options("agent-0012", 12));
  ASSERT_FALSE(issued.ok());
  EXPECT_EQ(issued.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(issued.status().message().find("CSR signature does not verify"), std::string::npos)
      << issued.status().ToString();
}

TEST_F(SignCsrTest, Rsa1024CsrIsRejectedAsTooWeak) {
  auto csr = MakeCsr("agent-0013", KeyType::kRsa1024);
  ASSERT_TRUE(csr.ok()) << csr.status().ToString();
  auto issued = ca().SignCsr(csr->first, Options("agent-0013", 13));
  ASSERT_FALSE(issued.ok());
  EXPECT_EQ(issued.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(issued.status().message().find("RSA 1024-bit key is too weak"), std::string::npos)
      << issued.status().ToString();
}

TEST_F(SignCsrTest, BadOptionsAreRejected) {
  auto csr = MakeCsr("agent-0014");
  auto expect_error = [&](IssueOptions o, StatusCode code, const std::string& text) {
    auto issued = ca().SignCsr(csr->first, o);
    ASSERT_FALSE(issued.ok()) << text;
    EXPECT_EQ(issued.status().code(), code) << issued.status().ToString();
    EXPECT_NE(issued.status().message().find(text), std::string::npos)
        << issued.status().ToString();
  };
  IssueOptions o = Options("agent-0014", 14);
  o.agent_id = "";
  expect_error(o, StatusCode::kInvalidArgument, "agent_id is empty");
  o = Options(std::string(65, 'a'), 14);
  expect_error(o, StatusCode::kInvalidArgument, "longer than the 64");
  o = Options("agent-0014", 14);
  o.serial_hex = "0";
  expect_error(o, StatusCode::kInvalidArgument, "serial must be positive");
  o.serial_hex = "12zz";
  expect_error(o, StatusCode::kInvalidArgument, "not hex");
  o = Options("agent-0014", 14);
  o.validity = Micros(0);
  expect_error(o, StatusCode::kInvalidArgument, "validity must be positive");
  o = Options("agent-0014", 14);
  o.now = o.not_before + std::chrono::days(91);
  expect_error(o, StatusCode::kInvalidArgument, "expired on issue");
  o = Options("agent-0014", 14);
  o.now = At("2032-01-01T00:00:00Z");
  o.not_before = o.now;
  expect_error(o, StatusCode::kFailedPrecondition, "CA certificate expired");
  o = Options("agent-0014", 14);
  o.validity = std::chrono::days(365 * 6);
  expect_error(o, StatusCode::kFailedPrecondition, "outlive the CA");
}

}  // namespace
}  // namespace rotor::ca
