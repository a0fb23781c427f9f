// OpenSSL plumbing for the CA: RAII owners for OpenSSL objects, error
// strings from the OpenSSL error queue, PEM/DER helpers and conversions
// between rotor::Time and ASN1_TIME. Internal to rotor_ca (the simulator and
// tests may use it too).
//
// Ownership: every Ptr type below owns its object and frees it with the
// matching OpenSSL *_free function. Functions that return a Ptr hand the
// caller ownership. Thread safety: the functions are thread-safe; the error
// queue is per thread in OpenSSL.
#pragma once

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "base/time.h"

namespace rotor::ca {

// Deleter calling an OpenSSL free function.
template <auto FreeFn>
struct OsslDeleter {
  template <typename T>
  void operator()(T* p) const {
    FreeFn(p);
  }
};

template <typename T, auto FreeFn>
using OsslPtr = std::unique_ptr<T, OsslDeleter<FreeFn>>;

using BioPtr = OsslPtr<BIO, BIO_free_all>;
using BignumPtr = OsslPtr<BIGNUM, BN_free>;
using Asn1IntegerPtr = OsslPtr<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1EnumeratedPtr = OsslPtr<ASN1_ENUMERATED, ASN1_ENUMERATED_free>;
using Asn1OctetStringPtr = OsslPtr<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using Asn1TimePtr = OsslPtr<ASN1_TIME, ASN1_TIME_free>;
using EvpPkeyPtr = OsslPtr<EVP_PKEY, EVP_PKEY_free>;
using X509Ptr = OsslPtr<X509, X509_free>;
using X509ReqPtr = OsslPtr<X509_REQ, X509_REQ_free>;
using X509CrlPtr = OsslPtr<X509_CRL, X509_CRL_free>;
using X509RevokedPtr = OsslPtr<X509_REVOKED, X509_REVOKED_free>;
using X509NamePtr = OsslPtr<X509_NAME, X509_NAME_free>;
using X509ExtensionPtr = OsslPtr<X509_EXTENSION, X509_EXTENSION_free>;
using AuthorityKeyIdPtr = OsslPtr<AUTHORITY_KEYID, AUTHORITY_KEYID_free>;
using OcspRequestPtr = OsslPtr<OCSP_REQUEST, OCSP_REQUEST_free>;
using OcspBasicRespPtr = OsslPtr<OCSP_BASICRESP, OCSP_BASICRESP_free>;
using OcspResponsePtr = OsslPtr<OCSP_RESPONSE, OCSP_RESPONSE_free>;
using OcspCertIdPtr = OsslPtr<OCSP_CERTID, OCSP_CERTID_free>;

// Drains this thread's OpenSSL error queue into one line, each entry
// formatted by ERR_error_string_n and joined with "; ". Returns "no OpenSSL
// error recorded" when the queue is empty.
std::string DrainOpenSslErrors();

// A Status with `code` whose message is "<what>: <drained OpenSSL errors>".
Status OpenSslError(StatusCode code, std::string_view what);

// A read-only memory BIO over `data` (not copied: `data` must outlive it).
// Errors: kInternal when OpenSSL cannot allocate it.
Result<BioPtr> MemoryBioFor(std::string_view data);

// Writes `write(bio)` into a fresh memory BIO and returns its bytes (for PEM
// output). `write` returns 1 on success as the PEM_write_bio_* functions do.
// Errors: kInternal naming `what` with the OpenSSL error.
template <typename WriteFn>
Result<std::string> WriteToString(std::string_view what, WriteFn write);

// DER encoding of `obj` with the i2d function `i2d` (i2d_X509, ...).
// Errors: kInternal naming `what` with the OpenSSL error.
template <typename T, typename I2d>
Result<std::string> ToDer(std::string_view what, T* obj, I2d i2d);

// Converts `t` to an ASN1_TIME, truncated down to whole seconds: UTCTime for
// the years 1950-2049 and GeneralizedTime otherwise (RFC 5280 4.1.2.5).
// Errors: kInvalidArgument when the year is outside 0000-9999.
Result<Asn1TimePtr> ToAsn1Time(Time t);

// Converts an ASN1_TIME to rotor::Time. Errors: kInvalidArgument when the
// time is malformed.
Result<Time> FromAsn1Time(const ASN1_TIME* t);

// `t` truncated down to whole seconds, the resolution of X.509 times.
Time TruncateToSeconds(Time t);

// "P-256 EC", "RSA 2048-bit", ...: a short description of `key` for errors.
std::string DescribeKey(const EVP_PKEY* key);

// ---------------------------------------------------------------------------
// Template definitions.

template <typename WriteFn>
Result<std::string> WriteToString(std::string_view what, WriteFn write) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || write(bio.get()) != 1) {
    return OpenSslError(StatusCode::kInternal, what);
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  if (len < 0 || (len > 0 && data == nullptr)) {
    return OpenSslError(StatusCode::kInternal, what);
  }
  return std::string(data, static_cast<size_t>(len));
}

template <typename T, typename I2d>
Result<std::string> ToDer(std::string_view what, T* obj, I2d i2d) {
  int len = i2d(obj, nullptr);
  if (len <= 0) return OpenSslError(StatusCode::kInternal, what);
  std::string out(static_cast<size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  if (i2d(obj, &p) != len) return OpenSslError(StatusCode::kInternal, what);
  return out;
}

}  // namespace rotor::ca
