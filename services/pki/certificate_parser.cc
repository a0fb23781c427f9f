#include "services/pki/certificate_parser.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdint>
#include <ctime>
#include <memory>
#include <string>

#include "base/hash.h"

namespace rotor::pki {
namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

// Drains OpenSSL's per-thread error queue; returns the first error's text.
std::string TakeOpenSslError() {
  uint64_t code = ERR_get_error();
  std::string text;
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    text = buf;
  }
  ERR_clear_error();
  return text.empty() ? "no OpenSSL error detail" : text;
}

// Never prompts for a pass phrase: certificates are not encrypted.
int NoPassword(char*, int, int, void*) { return 0; }

Result<X509Ptr> ReadCertificate(std::string_view bytes) {
  if (bytes.empty()) return Status::InvalidArgument("certificate bytes are empty");
  if (bytes.find("-----BEGIN") != std::string_view::npos) {
    BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, NoPassword, nullptr) : nullptr);
    if (!cert) {
      return Status::InvalidArgument("PEM input holds no readable CERTIFICATE block: " +
                                     TakeOpenSslError());
    }
    return cert;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const unsigned char* end = p + bytes.size();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<int64_t>(bytes.size())));
  if (!cert) {
    return Status::InvalidArgument("bytes are neither a PEM nor a DER X.509 certificate: " +
                                   TakeOpenSslError());
  }
  if (p != end) {
    return Status::InvalidArgument("DER certificate is followed by " + std::to_string(end - p) +
                                   " unexpected bytes");
  }
  return cert;
}

std::string NameText(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) {
    ERR_clear_error();
    return {};
  }
  char* data = nullptr;
  int64_t len = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<size_t>(len)};
}

std::string SerialHex(const X509* cert) {
  std::unique_ptr<BIGNUM, BnFree> bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  if (!bn) return {};
  char* hex = BN_bn2hex(bn.get());
  if (hex == nullptr) return {};
  std::string out(hex);
  OPENSSL_free(hex);
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Result<Time> AsnTime(const ASN1_TIME* t, std::string_view field) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument("certificate " + std::string(field) + " is not a valid time");
  }
  return TimeFromMicros(static_cast<int64_t>(timegm(&tm)) * 1000000);
}

std::string KeyAlgorithm(const X509* cert) {
  EVP_PKEY* key = X509_get0_pubkey(cert);
  if (key == nullptr) {
    ERR_clear_error();
    return "unknown";
  }
  int id = EVP_PKEY_get_base_id(key);
  switch (id) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
      return "RSA-" + std::to_string(EVP_PKEY_get_bits(key));
    case EVP_PKEY_EC: {
      char group[80];
      size_t len = 0;
      if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                         &len) == 1) {
        return "EC-" + std::string(group, len);
      }
      ERR_clear_error();
      return "EC-" + std::to_string(EVP_PKEY_get_bits(key));
    }
    case EVP_PKEY_ED25519:
      return "ED25519";
    case EVP_PKEY_ED448:
      return "ED448";
    default: {
      const char* sn = OBJ_nid2sn(id);
      return sn != nullptr ? sn : "unknown";
    }
  }
}

}  // namespace

Result<CertificateInfo> ParseCertificate(std::string_view bytes) {
  Result<X509Ptr> cert = ReadCertificate(bytes);
  if (!cert.ok()) return cert.status();
  X509* x = cert->get();

  unsigned char* der = nullptr;
  int der_len = i2d_X509(x, &der);
  if (der_len <= 0) {
    return Status::InvalidArgument("certificate cannot be re-encoded as DER: " +
                                   TakeOpenSslError());
  }
  CertificateInfo info;
  info.der.assign(reinterpret_cast<const char*>(der), static_cast<size_t>(der_len));
  OPENSSL_free(der);

  Result<Time> not_before = AsnTime(X509_get0_notBefore(x), "notBefore");
  if (!not_before.ok()) return not_before.status();
  Result<Time> not_after = AsnTime(X509_get0_notAfter(x), "notAfter");
  if (!not_after.ok()) return not_after.status();

  info.fingerprint = ToHex(Sha256(info.der));
  info.subject = NameText(X509_get_subject_name(x));
  info.issuer = NameText(X509_get_issuer_name(x));
  info.serial_hex = SerialHex(x);
  info.not_before = *not_before;
  info.not_after = *not_after;
  info.key_algorithm = KeyAlgorithm(x);
  ERR_clear_error();
  return info;
}

}  // namespace rotor::pki
