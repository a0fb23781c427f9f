// CertificateAuthority::BuildCrl: OpenSSL's verifier, with the CRL loaded and
// X509_V_FLAG_CRL_CHECK, refuses revoked certificates and accepts the rest;
// the CRL carries its number, the authority key identifier and reason codes;
// equal input gives equal bytes; bad entries are refused.
#include <gtest/gtest.h>

#include "tests/services/ca/ca_test_util.h"

namespace rotor::ca {
namespace {

using testing::CrlNextUpdate;
using testing::CrlThisUpdate;
using testing::Issue;
using testing::MakeTestCa;
using testing::ParseCrlDer;
using testing::ParseCrlPem;
using testing::Verify;
using testing::VerifyErrorString;
using testing::VerifyTime;

class CrlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ca_ = new testing::TestCa(MakeTestCa()); }
  static void TearDownTestSuite() {
    delete ca_;
    ca_ = nullptr;
  }
  const CertificateAuthority& ca() { return *ca_->ca; }
  const std::string& ca_pem() { return ca_->cert_pem; }

  Crl Build(const std::vector<RevokedEntry>& revoked, uint64_t number = 1) {
    auto crl = ca().BuildCrl(revoked, CrlThisUpdate(), CrlNextUpdate(), number);
    EXPECT_TRUE(crl.ok()) << crl.status().ToString();
    return crl.ok() ? *crl : Crl{};
  }
  void ExpectBuildError(const std::vector<RevokedEntry>& revoked, const std::string& text) {
    auto crl = ca().BuildCrl(revoked, CrlThisUpdate(), CrlNextUpdate(), 1);
    ASSERT_FALSE(crl.ok()) << text;
    EXPECT_EQ(crl.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(crl.status().message().find(text), std::string::npos) << crl.status().ToString();
  }

  static testing::TestCa* ca_;
};
testing::TestCa* CrlTest::ca_ = nullptr;

RevokedEntry Entry(const std::string& serial_hex, int reason) {
  return {serial_hex, testing::At("2026-03-05T12:00:00Z"), reason};
}

TEST_F(CrlTest, RevokedCertificateFailsVerificationWhileOthersStillVerify) {
  IssuedCertificate lost = Issue(ca(), "agent-lost-laptop", 1);
  IssuedCertificate kept = Issue(ca(), "agent-kept", 2);
  Crl crl = Build({Entry(lost.serial_hex, 1)});
  int lost_err = Verify({ca_pem(), lost.pem, {crl.pem}});
  EXPECT_EQ(lost_err, X509_V_ERR_CERT_REVOKED) << VerifyErrorString(lost_err);
  int kept_err = Verify({ca_pem(), kept.pem, {crl.pem}});
  EXPECT_EQ(kept_err, X509_V_OK) << VerifyErrorString(kept_err);
  // Without the CRL the lost certificate would still be accepted.
  EXPECT_EQ(Verify({ca_pem(), lost.pem}), X509_V_OK);
}

TEST_F(CrlTest, EmptyCrlRevokesNothing) {
  IssuedCertificate cert = Issue(ca(), "agent-0003", 3);
  int err = Verify({ca_pem(), cert.pem, {Build({}).pem}});
  EXPECT_EQ(err, X509_V_OK) << VerifyErrorString(err);
}

TEST_F(CrlTest, ExpiredCrlFailsVerification) {
  IssuedCertificate cert = Issue(ca(), "agent-0004", 4);
  Crl crl = Build({});
  EXPECT_EQ(Verify({ca_pem(), cert.pem, {crl.pem}, CrlNextUpdate() + std::chrono::hours(1)}),
            X509_V_ERR_CRL_HAS_EXPIRED);
}

TEST_F(CrlTest, CrlFromAnotherCaIsNotUsed) {
  testing::TestCa other = MakeTestCa("Other CA");
  IssuedCertificate cert = Issue(ca(), "agent-0005", 5);
  auto crl = other.ca->BuildCrl({Entry(cert.serial_hex, 1)}, CrlThisUpdate(), CrlNextUpdate(), 1);
  ASSERT_TRUE(crl.ok());
  EXPECT_EQ(Verify({ca_pem(), cert.pem, {crl->pem}}), X509_V_ERR_UNABLE_TO_GET_CRL);
}

TEST_F(CrlTest, CrlCarriesNumberAuthorityKeyIdReasonsAndTimes) {
  Crl crl = Build({Entry("0a", 0), Entry("0B", 1), Entry("0c", 6)}, 17);
  X509CrlPtr parsed = ParseCrlDer(crl.der);
  ASSERT_NE(parsed, nullptr);
  EXPECT_EQ(X509_CRL_get_version(parsed.get()), X509_CRL_VERSION_2);
  EXPECT_EQ(X509_CRL_get_signature_nid(parsed.get()), NID_ecdsa_with_SHA256);
  EXPECT_EQ(FromAsn1Time(X509_CRL_get0_lastUpdate(parsed.get())).value(), CrlThisUpdate());
  EXPECT_EQ(FromAsn1Time(X509_CRL_get0_nextUpdate(parsed.get())).value(), CrlNextUpdate());

  auto* number = static_cast<ASN1_INTEGER*>(
      X509_CRL_get_ext_d2i(parsed.get(), NID_crl_number, nullptr, nullptr));
  ASSERT_NE(number, nullptr);
  EXPECT_EQ(ASN1_INTEGER_get(number), 17);
  ASN1_INTEGER_free(number);
  auto* akid = static_cast<AUTHORITY_KEYID*>(
      X509_CRL_get_ext_d2i(parsed.get(), NID_authority_key_identifier, nullptr, nullptr));
  ASSERT_NE(akid, nullptr);
  X509Ptr ca_cert = testing::ParseCertPem(ca_pem());
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(akid->keyid, X509_get0_subject_key_id(ca_cert.get())), 0);
  AUTHORITY_KEYID_free(akid);

  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(parsed.get());
  ASSERT_EQ(sk_X509_REVOKED_num(revoked), 3);
  const int expected_reasons[] = {-1, 1, 6};  // -1: no reasonCode extension.
  for (int i = 0; i < 3; ++i) {
    X509_REVOKED* rev = sk_X509_REVOKED_value(revoked, i);
    EXPECT_EQ(SerialHexOf(X509_REVOKED_get0_serialNumber(rev)).value(),
              std::string("0") + static_cast<char>('a' + i));
    EXPECT_EQ(FromAsn1Time(X509_REVOKED_get0_revocationDate(rev)).value(),
              testing::At("2026-03-05T12:00:00Z"));
    auto* reason = static_cast<ASN1_ENUMERATED*>(
        X509_REVOKED_get_ext_d2i(rev, NID_crl_reason, nullptr, nullptr));
    EXPECT_EQ(reason == nullptr ? -1 : ASN1_ENUMERATED_get(reason), expected_reasons[i]);
    ASN1_ENUMERATED_free(reason);
  }
}

TEST_F(CrlTest, PemAndDerHoldTheSameCrl) {
  Crl crl = Build({Entry("01", 4)});
  X509CrlPtr from_pem = ParseCrlPem(crl.pem);
  ASSERT_NE(from_pem, nullptr);
  EXPECT_EQ(ToDer("crl", from_pem.get(), i2d_X509_CRL).value(), crl.der);
}

// ECDSA in OpenSSL 3.0 signs with a random nonce, so compare what is signed.
std::string ToBeSigned(const std::string& der) {
  X509CrlPtr crl = ParseCrlDer(der);
  return ToDer("tbs", crl.get(), i2d_re_X509_CRL_tbs).value();
}

TEST_F(CrlTest, ToBeSignedBytesAreDeterministicInAnyInputOrder) {
  std::vector<RevokedEntry> entries = {Entry("03", 1), Entry("01", 4), Entry("0100", 5)};
  std::vector<RevokedEntry> reordered = {entries[2], entries[0], entries[1]};
  EXPECT_EQ(ToBeSigned(Build(entries, 9).der), ToBeSigned(Build(reordered, 9).der));
  EXPECT_NE(ToBeSigned(Build(entries, 9).der), ToBeSigned(Build(entries, 10).der));
}

TEST(CrlRsaTest, CrlIsByteIdenticalForEqualInputWithAnRsaCa) {
  testing::TestCa rsa = MakeTestCa("RSA CA", KeyType::kRsa2048);
  std::vector<RevokedEntry> entries = {Entry("02", 1), Entry("01", 3)};
  auto a = rsa.ca->BuildCrl(entries, CrlThisUpdate(), CrlNextUpdate(), 3);
  auto b = rsa.ca->BuildCrl({entries[1], entries[0]}, CrlThisUpdate(), CrlNextUpdate(), 3);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->der, b->der);
  EXPECT_EQ(a->pem, b->pem);
  IssuedCertificate cert = Issue(*rsa.ca, "agent-rsa-ca", 2);
  EXPECT_EQ(Verify({rsa.cert_pem, cert.pem, {a->pem}}), X509_V_ERR_CERT_REVOKED);
}

TEST_F(CrlTest, ReasonCodesOutsideTheFullCrlSetAreRejected) {
  ExpectBuildError({Entry("01", 7)}, "reason code 7 is unassigned");
  ExpectBuildError({Entry("01", 8)}, "reason code 8 (removeFromCRL) is only for delta CRLs");
  ExpectBuildError({Entry("01", 11)}, "reason code 11 is outside");
  ExpectBuildError({Entry("01", -1)}, "reason code -1 is outside");
}

TEST_F(CrlTest, BadOrDuplicateSerialsAreRejected) {
  ExpectBuildError({Entry("xyz", 1)}, "revoked entry: serial 'xyz' is not hex");
  ExpectBuildError({Entry("00", 1)}, "serial must be positive");
  ExpectBuildError({Entry("0a", 1), Entry("0A", 4)}, "serial 0a is listed twice");
}

TEST_F(CrlTest, NextUpdateMustFollowThisUpdate) {
  auto crl = ca().BuildCrl({}, CrlThisUpdate(), CrlThisUpdate(), 1);
  ASSERT_FALSE(crl.ok());
  EXPECT_EQ(crl.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(crl.status().message().find("must be at least a second after"), std::string::npos);
}

}  // namespace
}  // namespace rotor::ca
