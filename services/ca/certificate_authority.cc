#include "services/ca/certificate_authority.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/hash.h"
#include "services/ca/key_policy.h"
#include "services/ca/pem_input.h"

namespace rotor::ca {
namespace {

constexpr size_t kMaxPemFileBytes = 1 << 20;

// Reads a whole file of at most kMaxPemFileBytes. Errors: kIoError naming
// `what` and `path`; kInvalidArgument when the file is too large.
Result<std::string> ReadSmallFile(const std::string& path, std::string_view what) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return Status::IoError("cannot open " + std::string(what) + " file " + path + ": " +
                           std::strerror(errno));
  }
  std::string out;
  char buf[8192];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0 && out.size() <= kMaxPemFileBytes) {
    out.append(buf, n);
  }
  bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return Status::IoError("cannot read " + std::string(what) + " file " + path);
  if (out.size() > kMaxPemFileBytes) {
    return Status::InvalidArgument(std::string(what) + " file " + path +
                                   " is larger than 1 MiB: not a PEM file");
  }
  return out;
}

// Checks basicConstraints CA:TRUE and keyUsage keyCertSign + cRLSign.
Status CheckIsCa(X509* cert, const std::string& source) {
  uint32_t flags = X509_get_extension_flags(cert);
  if ((flags & EXFLAG_INVALID) != 0) {
    return Status::InvalidArgument(source + " has invalid or duplicate extensions");
  }
  if ((flags & EXFLAG_BCONS) == 0) {
    return Status::InvalidArgument(source + " is not a CA certificate: it has no basicConstraints");
  }
  if ((flags & EXFLAG_CA) == 0) {
    return Status::InvalidArgument(source +
                                   " is not a CA certificate: basicConstraints has CA:FALSE");
  }
  if ((flags & EXFLAG_KUSAGE) == 0) {
    return Status::InvalidArgument(
        source + " has no keyUsage extension; a CA needs keyCertSign and cRLSign");
  }
  uint32_t usage = X509_get_key_usage(cert);
  std::string missing;
  if ((usage & KU_KEY_CERT_SIGN) == 0) missing += "keyCertSign";
  if ((usage & KU_CRL_SIGN) == 0) missing += missing.empty() ? "cRLSign" : " and cRLSign";
  if (!missing.empty()) {
    return Status::InvalidArgument(source + " keyUsage lacks " + missing +
                                   ": it cannot sign certificates and CRLs");
  }
  return Status::Ok();
}

// The CA's subject key identifier, or RFC 5280 method 1 (SHA-1 of the
// subjectPublicKey bits) when the certificate has none.
Result<std::string> CaKeyId(X509* cert) {
  if (const ASN1_OCTET_STRING* skid = X509_get0_subject_key_id(cert)) {
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(skid)),
                       static_cast<size_t>(ASN1_STRING_length(skid)));
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_pubkey_digest(cert, EVP_sha1(), md, &len) != 1) {
    return OpenSslError(StatusCode::kInternal, "computing the CA key identifier");
  }
  return std::string(reinterpret_cast<const char*>(md), len);
}

}  // namespace

Result<std::unique_ptr<CertificateAuthority>> CertificateAuthority::Load(
    const std::string& cert_pem_path, const std::string& key_pem_path) {
  auto cert_pem = ReadSmallFile(cert_pem_path, "CA certificate");
  if (!cert_pem.ok()) return cert_pem.status();
  auto key_pem = ReadSmallFile(key_pem_path, "CA key");
  if (!key_pem.ok()) return key_pem.status();
  return LoadImpl(*cert_pem, *key_pem, "CA certificate " + cert_pem_path, "CA key " + key_pem_path);
}

Result<std::unique_ptr<CertificateAuthority>> CertificateAuthority::LoadFromPem(
    std::string_view cert_pem, std::string_view key_pem) {
  return LoadImpl(cert_pem, key_pem, "CA certificate (PEM)", "CA key (PEM)");
}

Result<std::unique_ptr<CertificateAuthority>> CertificateAuthority::LoadImpl(
    std::string_view cert_pem, std::string_view key_pem, const std::string& cert_source,
    const std::string& key_source) {
  ERR_clear_error();
  auto cert = ReadPemCertificate(cert_pem, cert_source);
  if (!cert.ok()) return cert.status();
  auto key = ReadPemPrivateKey(key_pem, key_source);
  if (!key.ok()) return key.status();
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument(key_source + " does not match the public key of " + cert_source);
  }
  ROTOR_RETURN_IF_ERROR(CheckIsCa(cert->get(), cert_source));
  ROTOR_RETURN_IF_ERROR(CheckKeyAllowed(key->get(), key_source));

  std::unique_ptr<CertificateAuthority> ca(new CertificateAuthority());
  auto not_before = FromAsn1Time(X509_get0_notBefore(cert->get()));
  auto not_after = FromAsn1Time(X509_get0_notAfter(cert->get()));
  if (!not_before.ok() || !not_after.ok()) {
    return Status::InvalidArgument(cert_source + " has a malformed validity period");
  }
  ca->not_before_ = *not_before;
  ca->not_after_ = *not_after;
  auto key_id = CaKeyId(cert->get());
  if (!key_id.ok()) return key_id.status();
  ca->key_id_ = std::move(*key_id);
  auto der = ToDer("encoding the CA certificate", cert->get(), i2d_X509);
  if (!der.ok()) return der.status();
  ca->cert_der_ = std::move(*der);
  ca->fingerprint_ = ToHex(Sha256(ca->cert_der_));
  X509* raw = cert->get();
  auto pem = WriteToString("PEM-encoding the CA certificate",
                           [raw](BIO* bio) { return PEM_write_bio_X509(bio, raw); });
  if (!pem.ok()) return pem.status();
  ca->cert_pem_ = std::move(*pem);
  ca->cert_ = std::move(*cert);
  ca->key_ = std::move(*key);
  return ca;
}

Result<X509ExtensionPtr> CertificateAuthority::AuthorityKeyIdExtension() const {
  AuthorityKeyIdPtr akid(AUTHORITY_KEYID_new());
  if (akid == nullptr) return OpenSslError(StatusCode::kInternal, "AUTHORITY_KEYID_new");
  akid->keyid = ASN1_OCTET_STRING_new();
  if (akid->keyid == nullptr ||
      ASN1_OCTET_STRING_set(akid->keyid, reinterpret_cast<const unsigned char*>(key_id_.data()),
                            static_cast<int>(key_id_.size())) != 1) {
    return OpenSslError(StatusCode::kInternal, "setting the authority key identifier");
  }
  X509ExtensionPtr ext(X509V3_EXT_i2d(NID_authority_key_identifier, 0, akid.get()));
  if (ext == nullptr) {
    return OpenSslError(StatusCode::kInternal, "encoding the authority key identifier");
  }
  return ext;
}

Status CertificateAuthority::CheckCaValidAt(Time now, std::string_view what) const {
  if (now < not_before_) {
    return Status::FailedPrecondition(std::string(what) +
                                      ": the CA certificate is not valid until " +
                                      FormatTime(not_before_) + " (now " + FormatTime(now) + ")");
  }
  if (now > not_after_) {
    return Status::FailedPrecondition(std::string(what) + ": the CA certificate expired at " +
                                      FormatTime(not_after_) + " (now " + FormatTime(now) + ")");
  }
  return Status::Ok();
}

}  // namespace rotor::ca
