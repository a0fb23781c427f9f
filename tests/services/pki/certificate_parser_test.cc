// Tests for services/pki: parsing PEM and DER certificates made at test time.
#include "services/pki/certificate_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/hash.h"
#include "tests/services/pki/test_certificates.h"

namespace rotor::pki {
namespace {

using ::rotor::testing::MakeTestCertificate;
using ::rotor::testing::TestCertificateOptions;
using ::rotor::testing::TestKeyType;
using ::testing::HasSubstr;
using ::testing::StartsWith;

Time At(const char* text) { return *ParseTime(text); }

TestCertificateOptions Options() {
  TestCertificateOptions o;
  o.common_name = "ns.example.com";
  o.organization = "Example";
  o.serial = 1;
  o.not_before = At("2026-01-01T00:00:00Z");
  o.not_after = At("2027-01-01T12:30:00Z");
  return o;
}

TEST(CertificateParserTest, ParsesPemIntoItsFacts) {
  auto cert = MakeTestCertificate(Options());
  Result<CertificateInfo> info = ParseCertificate(cert.pem);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->fingerprint, ToHex(Sha256(cert.der)));
  EXPECT_EQ(info->der, cert.der);
  EXPECT_EQ(info->subject, "CN=ns.example.com,O=Example");
  EXPECT_EQ(info->issuer, "CN=ns.example.com,O=Example");
  EXPECT_EQ(info->serial_hex, "01");
  EXPECT_EQ(info->not_before, At("2026-01-01T00:00:00Z"));
  EXPECT_EQ(info->not_after, At("2027-01-01T12:30:00Z"));
  EXPECT_EQ(info->key_algorithm, "EC-prime256v1");
}

TEST(CertificateParserTest, DerAndPemOfOneCertificateGiveTheSameFacts) {
  auto cert = MakeTestCertificate(Options());
  Result<CertificateInfo> from_pem = ParseCertificate(cert.pem);
  Result<CertificateInfo> from_der = ParseCertificate(cert.der);
  ASSERT_TRUE(from_pem.ok() && from_der.ok());
  EXPECT_EQ(*from_pem, *from_der);
}

TEST(CertificateParserTest, DifferentCertificatesHaveDifferentFingerprints) {
  auto a = ParseCertificate(MakeTestCertificate(Options()).der);
  auto b = ParseCertificate(MakeTestCertificate(Options()).der);  // a fresh key
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->fingerprint, b->fingerprint);
}

TEST(CertificateParserTest, NamesRsaAndEd25519Keys) {
  TestCertificateOptions o = Options();
  o.key = TestKeyType::kRsa2048;
  auto rsa = ParseCertificate(MakeTestCertificate(o).pem);
  ASSERT_TRUE(rsa.ok()) << rsa.status().ToString();
  EXPECT_EQ(rsa->key_algorithm, "RSA-2048");
  o.key = TestKeyType::kEd25519;
  auto ed = ParseCertificate(MakeTestCertificate(o).pem);
  ASSERT_TRUE(ed.ok()) << ed.status().ToString();
  EXPECT_EQ(ed->key_algorithm, "ED25519");
}

TEST(CertificateParserTest, SerialIsLowerCaseHex) {
  TestCertificateOptions o = Options();
  o.serial = 0xABCDEF0123ULL;
  auto info = ParseCertificate(MakeTestCertificate(o).der);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->serial_hex, "abcdef0123");
}

TEST(CertificateParserTest, ReadsGeneralizedTimeAfter2049) {
  TestCertificateOptions o = Options();
  o.not_after = At("2060-06-30T08:00:00Z");
  auto info = ParseCertificate(MakeTestCertificate(o).der);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->not_after, At("2060-06-30T08:00:00Z"));
}

TEST(CertificateParserTest, SkipsTextBeforeThePemBlock) {
  auto cert = MakeTestCertificate(Options());
  auto info = ParseCertificate("subject=CN = ns.example.com\n" + cert.pem);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->der, cert.der);
}

TEST(CertificateParserTest, RefusesEmptyInput) {
  auto info = ParseCertificate("");
  EXPECT_EQ(info.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(info.status().message(), "certificate bytes are empty");
}

TEST(CertificateParserTest, RefusesGarbageBytes) {
  auto info = ParseCertificate("this is not a certificate");
  EXPECT_EQ(info.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(info.status().message(),
              StartsWith("bytes are neither a PEM nor a DER X.509 certificate: "));
}

TEST(CertificateParserTest, RefusesAPemBlockWithDamagedContent) {
  auto info = ParseCertificate("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  EXPECT_EQ(info.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(info.status().message(), StartsWith("PEM input holds no readable CERTIFICATE block"));
}

TEST(CertificateParserTest, RefusesTrailingBytesAfterDer) {
  auto cert = MakeTestCertificate(Options());
  auto info = ParseCertificate(cert.der + "xyz");
  EXPECT_EQ(info.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(info.status().message(), "DER certificate is followed by 3 unexpected bytes");
}

TEST(CertificateParserTest, RefusesATruncatedDerCertificate) {
  auto cert = MakeTestCertificate(Options());
  auto info = ParseCertificate(cert.der.substr(0, cert.der.size() / 2));
  EXPECT_EQ(info.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(info.status().message(), HasSubstr("neither a PEM nor a DER"));
}

}  // namespace
}  // namespace rotor::pki
