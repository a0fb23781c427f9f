// CertificateAuthority::Load and LoadFromPem: a usable CA is accepted, and a
// wrong key, a non-CA certificate, or unreadable files are refused with
// errors that name the file and the problem.
#include <gtest/gtest.h>

#include <fstream>

#include "base/hash.h"
#include "tests/services/ca/ca_test_util.h"
#include "tests/testing/temp_dir.h"

namespace rotor::ca {
namespace {

using testing::CaNotAfter;
using testing::CaNotBefore;
using testing::MakeTestCa;

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

// A self-signed certificate for a fresh P-256 key with the given extensions
// (OpenSSL config syntax); returns (cert_pem, key_pem).
std::pair<std::string, std::string> SelfSigned(
    const std::vector<std::pair<int, const char*>>& extensions) {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 42);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("custom"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_set1_notBefore(cert.get(), ToAsn1Time(CaNotBefore())->get());
  X509_set1_notAfter(cert.get(), ToAsn1Time(CaNotAfter())->get());
  X509_set_pubkey(cert.get(), key.get());
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : extensions) {
    X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    EXPECT_NE(ext, nullptr) << value;
    X509_add_ext(cert.get(), ext.get(), -1);
  }
  EXPECT_GT(X509_sign(cert.get(), key.get(), EVP_sha256()), 0);
  X509* raw = cert.get();
  EVP_PKEY* raw_key = key.get();
  return {WriteToString("cert", [raw](BIO* b) { return PEM_write_bio_X509(b, raw); }).value(),
          WriteToString("key", [raw_key](BIO* b) {
            return PEM_write_bio_PrivateKey(b, raw_key, nullptr, nullptr, 0, nullptr, nullptr);
          }).value()};
}

void ExpectLoadError(std::string_view cert_pem, std::string_view key_pem, const std::string& text) {
  auto ca = CertificateAuthority::LoadFromPem(cert_pem, key_pem);
  ASSERT_FALSE(ca.ok()) << text;
  EXPECT_EQ(ca.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(ca.status().message().find(text), std::string::npos) << ca.status().ToString();
}

TEST(LoadTest, LoadsAGeneratedCaFromFiles) {
  testing::TestCa generated = MakeTestCa();
  rotor::testing::TempDir dir;
  WriteFile(dir.Sub("ca.pem"), generated.cert_pem);
  WriteFile(dir.Sub("ca.key"), generated.key_pem);
  auto ca = CertificateAuthority::Load(dir.Sub("ca.pem"), dir.Sub("ca.key"));
  ASSERT_TRUE(ca.ok()) << ca.status().ToString();
  EXPECT_EQ((*ca)->certificate_pem(), generated.cert_pem);
  EXPECT_EQ((*ca)->fingerprint(), ToHex(Sha256((*ca)->certificate_der())));
  EXPECT_EQ((*ca)->not_before(), CaNotBefore());
  EXPECT_EQ((*ca)->not_after(), CaNotAfter());
}

TEST(LoadTest, MissingFileIsAnIoErrorNamingThePath) {
  testing::TestCa generated = MakeTestCa();
  rotor::testing::TempDir dir;
  WriteFile(dir.Sub("ca.pem"), generated.cert_pem);
  auto ca = CertificateAuthority::Load(dir.Sub("ca.pem"), dir.Sub("missing.key"));
  ASSERT_FALSE(ca.ok());
  EXPECT_EQ(ca.status().code(), StatusCode::kIoError);
  EXPECT_NE(ca.status().message().find("CA key file " + dir.Sub("missing.key")), std::string::npos)
      << ca.status().ToString();
}

TEST(LoadTest, KeyNotMatchingTheCertificateIsRejectedNamingBothFiles) {
  testing::TestCa a = MakeTestCa("CA A");
  testing::TestCa b = MakeTestCa("CA B");
  rotor::testing::TempDir dir;
  WriteFile(dir.Sub("a.pem"), a.cert_pem);
  WriteFile(dir.Sub("b.key"), b.key_pem);
  auto ca = CertificateAuthority::Load(dir.Sub("a.pem"), dir.Sub("b.key"));
  ASSERT_FALSE(ca.ok());
  EXPECT_EQ(ca.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ca.status().message(), "CA key " + dir.Sub("b.key") +
                                       " does not match the public key of CA certificate " +
                                       dir.Sub("a.pem"));
}

TEST(LoadTest, LeafCertificateIsNotACa) {
  testing::TestCa generated = MakeTestCa();
  std::string leaf_key;
  IssuedCertificate leaf =
      testing::Issue(*generated.ca, "agent-0001", 1, KeyType::kEcP256, &leaf_key);
  ExpectLoadError(leaf.pem, leaf_key, "not a CA certificate: basicConstraints has CA:FALSE");
}

TEST(LoadTest, CertificateWithoutBasicConstraintsIsNotACa) {
  auto [cert, key] = SelfSigned({{NID_key_usage, "critical,keyCertSign,cRLSign"}});
  ExpectLoadError(cert, key, "not a CA certificate: it has no basicConstraints");
}

TEST(LoadTest, CaWithoutCrlSignIsRejected) {
  auto [cert, key] = SelfSigned(
      {{NID_basic_constraints, "critical,CA:TRUE"}, {NID_key_usage, "critical,keyCertSign"}});
  ExpectLoadError(cert, key, "keyUsage lacks cRLSign");
}

TEST(LoadTest, CaWithoutKeyUsageIsRejected) {
  auto [cert, key] = SelfSigned({{NID_basic_constraints, "critical,CA:TRUE"}});
  ExpectLoadError(cert, key, "has no keyUsage extension");
}

TEST(LoadTest, CaWithoutSubjectKeyIdStillSignsVerifiableCertificates) {
  auto [cert, key] = SelfSigned({{NID_basic_constraints, "critical,CA:TRUE"},
                                 {NID_key_usage, "critical,keyCertSign,cRLSign"}});
  auto ca = CertificateAuthority::LoadFromPem(cert, key);
  ASSERT_TRUE(ca.ok()) << ca.status().ToString();
  IssuedCertificate leaf = testing::Issue(**ca, "agent-0002", 2);
  // Not strict mode, which insists on the CA's subject key identifier.
  int err = testing::Verify(
      {cert, leaf.pem, {}, testing::VerifyTime(), X509_PURPOSE_SSL_CLIENT, /*strict=*/false});
  EXPECT_EQ(err, X509_V_OK) << testing::VerifyErrorString(err);
  X509Ptr ca_cert = testing::ParseCertPem(cert);
  EXPECT_EQ(X509_get0_subject_key_id(ca_cert.get()), nullptr);
  X509Ptr leaf_cert = testing::ParseCertPem(leaf.pem);
  EXPECT_NE(X509_get0_authority_key_id(leaf_cert.get()), nullptr);
}

TEST(LoadTest, GarbageCertificateAndKeyAreRejected) {
  testing::TestCa generated = MakeTestCa();
  ExpectLoadError("not a certificate", generated.key_pem,
                  "CA certificate (PEM): no PEM certificate");
  ExpectLoadError(generated.cert_pem, "not a key", "CA key (PEM): no PEM private key");
}

TEST(LoadTest, EncryptedKeyIsRejectedWithoutPrompting) {
  testing::TestCa generated = MakeTestCa();
  auto key = [&] {
    BioPtr bio(BIO_new_mem_buf(generated.key_pem.data(), -1));
    return EvpPkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  }();
  EVP_PKEY* raw = key.get();
  std::string encrypted =
      WriteToString("key", [raw](BIO* b) {
        static char kPass[] = "secret";
        return PEM_write_bio_PKCS8PrivateKey(b, raw, EVP_aes_256_cbc(), kPass, 6, nullptr, nullptr);
      }).value();
  ExpectLoadError(generated.cert_pem, encrypted, "the private key is encrypted");
}

}  // namespace
}  // namespace rotor::ca
