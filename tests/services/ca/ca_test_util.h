// Test helpers for rotor_ca: fixed times, a CA and issued certificates, and
// verification with OpenSSL's X509_verify_cert at a given time (never the
// wall clock). Test-only.
#pragma once

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "services/ca/certificate_authority.h"
#include "services/ca/generate.h"
#include "services/ca/ossl.h"
#include "services/ca/serial.h"

namespace rotor::ca::testing {

using X509StorePtr = OsslPtr<X509_STORE, X509_STORE_free>;
using X509StoreCtxPtr = OsslPtr<X509_STORE_CTX, X509_STORE_CTX_free>;

inline Time At(const char* rfc3339) { return ParseTime(rfc3339).value(); }

// The CA is valid 2026-01-01 .. 2031-01-01; agents' certificates are issued
// at kIssueTime for 90 days; CRLs cover kCrlThisUpdate .. kCrlNextUpdate and
// verification happens at kVerifyTime, inside all of them.
inline Time CaNotBefore() { return At("2026-01-01T00:00:00Z"); }
inline Time CaNotAfter() { return At("2031-01-01T00:00:00Z"); }
inline Time IssueTime() { return At("2026-03-01T00:00:00Z"); }
inline Time CrlThisUpdate() { return At("2026-03-10T00:00:00Z"); }
inline Time CrlNextUpdate() { return At("2026-03-17T00:00:00Z"); }
inline Time VerifyTime() { return At("2026-03-12T00:00:00Z"); }

struct TestCa {
  std::string cert_pem;
  std::string key_pem;
  std::unique_ptr<CertificateAuthority> ca;
};

inline TestCa MakeTestCa(const char* cn = "Rotor Test CEM CA", KeyType type = KeyType::kEcP256) {
  auto pems = GenerateSelfSignedCa(cn, CaNotBefore(), CaNotAfter(), type);
  EXPECT_TRUE(pems.ok()) << pems.status().ToString();
  auto ca = CertificateAuthority::LoadFromPem(pems->first, pems->second);
  EXPECT_TRUE(ca.ok()) << ca.status().ToString();
  return {pems->first, pems->second, std::move(*ca)};
}

inline IssueOptions Options(const std::string& agent_id, uint64_t serial) {
  IssueOptions o;
  o.agent_id = agent_id;
  o.not_before = IssueTime();
  o.validity = std::chrono::days(90);
  o.serial_hex = SerialHexFromCounter(serial).value();
  o.now = IssueTime();
  return o;
}

// Issues a certificate for a fresh key; the key PEM goes to *key_pem if set.
inline IssuedCertificate Issue(const CertificateAuthority& ca, const std::string& agent_id,
                               uint64_t serial, KeyType type = KeyType::kEcP256,
                               std::string* key_pem = nullptr) {
  auto csr = MakeCsr(agent_id, type);
  EXPECT_TRUE(csr.ok()) << csr.status().ToString();
  if (key_pem != nullptr) *key_pem = csr->second;
  auto issued = ca.SignCsr(csr->first, Options(agent_id, serial));
  EXPECT_TRUE(issued.ok()) << issued.status().ToString();
  return std::move(*issued);
}

inline X509Ptr ParseCertPem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

inline X509CrlPtr ParseCrlDer(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return X509CrlPtr(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
}

inline X509CrlPtr ParseCrlPem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return X509CrlPtr(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
}

struct VerifyInput {
  std::string ca_pem = {};
  std::string cert_pem = {};
  std::vector<std::string> crl_pems = {};  // Non-empty turns on X509_V_FLAG_CRL_CHECK.
  Time at = VerifyTime();
  int purpose = X509_PURPOSE_SSL_CLIENT;
  bool strict = true;  // X509_V_FLAG_X509_STRICT.
};

// X509_verify_cert: X509_V_OK or the X509_V_ERR_* code.
inline int Verify(const VerifyInput& in) {
  X509StorePtr store(X509_STORE_new());
  X509Ptr ca = ParseCertPem(in.ca_pem);
  X509Ptr leaf = ParseCertPem(in.cert_pem);
  if (store == nullptr || ca == nullptr || leaf == nullptr ||
      X509_STORE_add_cert(store.get(), ca.get()) != 1) {
    ADD_FAILURE() << "cannot set up the X509_STORE";
    return -1;
  }
  unsigned long flags = in.strict ? X509_V_FLAG_X509_STRICT : 0;
  for (const std::string& pem : in.crl_pems) {
    X509CrlPtr crl = ParseCrlPem(pem);
    if (crl == nullptr || X509_STORE_add_crl(store.get(), crl.get()) != 1) {
      ADD_FAILURE() << "cannot load the CRL into the store";
      return -1;
    }
    flags |= X509_V_FLAG_CRL_CHECK;
  }
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (ctx == nullptr || X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), nullptr) != 1) {
    ADD_FAILURE() << "cannot set up the X509_STORE_CTX";
    return -1;
  }
  X509_STORE_CTX_set_flags(ctx.get(), flags);
  X509_STORE_CTX_set_purpose(ctx.get(), in.purpose);
  X509_STORE_CTX_set_time(ctx.get(), 0, static_cast<time_t>(ToMicros(in.at) / 1000000));
  if (X509_verify_cert(ctx.get()) == 1) return X509_V_OK;
  return X509_STORE_CTX_get_error(ctx.get());
}

inline std::string VerifyErrorString(int err) {
  return err == -1 ? "test setup failed" : X509_verify_cert_error_string(err);
}

}  // namespace rotor::ca::testing
