#include "tests/services/pki/test_certificates.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

namespace rotor::testing {
namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
};

EVP_PKEY* GenerateKey(TestKeyType type) {
  switch (type) {
    case TestKeyType::kEcP256:
      return EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    case TestKeyType::kRsa2048:
      return EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
    case TestKeyType::kEd25519:
      return EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  }
  return nullptr;
}

bool SetName(X509_NAME* name, const TestCertificateOptions& o) {
  auto add = [&](const char* field, const std::string& value) {
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                      0) == 1;
  };
  if (!o.organization.empty() && !add("O", o.organization)) return false;
  return add("CN", o.common_name);
}

bool Build(X509* cert, EVP_PKEY* key, const TestCertificateOptions& o) {
  auto seconds = [](Time t) { return static_cast<time_t>(ToMicros(t) / 1000000); };
  X509_NAME* name = X509_get_subject_name(cert);
  return X509_set_version(cert, 2) == 1 &&
         ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert), o.serial) == 1 &&
         ASN1_TIME_set(X509_getm_notBefore(cert), seconds(o.not_before)) != nullptr &&
         ASN1_TIME_set(X509_getm_notAfter(cert), seconds(o.not_after)) != nullptr &&
         SetName(name, o) && X509_set_issuer_name(cert, name) == 1 &&
         X509_set_pubkey(cert, key) == 1 &&
         X509_sign(cert, key, o.key == TestKeyType::kEd25519 ? nullptr : EVP_sha256()) > 0;
}

}  // namespace

TestCertificate MakeTestCertificate(const TestCertificateOptions& options) {
  std::unique_ptr<EVP_PKEY, Free> key(GenerateKey(options.key));
  std::unique_ptr<X509, Free> cert(X509_new());
  if (!key || !cert || !Build(cert.get(), key.get(), options)) {
    ADD_FAILURE() << "OpenSSL could not build the test certificate";
    return {};
  }
  TestCertificate out;
  unsigned char* der = nullptr;
  int len = i2d_X509(cert.get(), &der);
  if (len <= 0) {
    ADD_FAILURE() << "i2d_X509 failed";
    return {};
  }
  out.der.assign(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  std::unique_ptr<BIO, Free> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert.get());
  char* data = nullptr;
  int64_t n = BIO_get_mem_data(bio.get(), &data);
  out.pem.assign(data, static_cast<size_t>(n));
  return out;
}

}  // namespace rotor::testing
