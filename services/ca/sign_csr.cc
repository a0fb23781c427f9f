// CertificateAuthority::SignCsr: issuing CEM agent certificates from CSRs.
#include <openssl/err.h>
#include <openssl/pem.h>

#include "base/hash.h"
#include "services/ca/certificate_authority.h"
#include "services/ca/key_policy.h"
#include "services/ca/pem_input.h"
#include "services/ca/serial.h"

namespace rotor::ca {
namespace {

constexpr size_t kMaxCommonNameLength = 64;  // ub-common-name, RFC 5280.
constexpr auto kMaxValidity = std::chrono::days(36525);

Status CheckAgentId(std::string_view id) {
  if (id.empty()) return Status::InvalidArgument("agent_id is empty");
  if (id.size() > kMaxCommonNameLength) {
    return Status::InvalidArgument("agent_id '" + std::string(id) + "' is longer than the " +
                                   std::to_string(kMaxCommonNameLength) +
                                   " characters a common name allows");
  }
  for (char c : id) {
    if (c < 0x20 || c > 0x7e) {
      return Status::InvalidArgument("agent_id contains a character outside printable ASCII");
    }
  }
  if (id.front() == ' ' || id.back() == ' ') {
    return Status::InvalidArgument("agent_id '" + std::string(id) +
                                   "' has a leading or trailing space");
  }
  return Status::Ok();
}

// Verifies proof of possession and key strength; returns the CSR's key
// (owned by `req`).
Result<EVP_PKEY*> CheckedCsrKey(X509_REQ* req) {
  EVP_PKEY* key = X509_REQ_get0_pubkey(req);
  if (key == nullptr) {
    return OpenSslError(StatusCode::kInvalidArgument, "CSR public key cannot be parsed");
  }
  ROTOR_RETURN_IF_ERROR(CheckKeyAllowed(key, "CSR public key"));
  if (X509_REQ_verify(req, key) != 1) {
    return OpenSslError(StatusCode::kInvalidArgument,
                        "CSR signature does not verify with the CSR's public key (the request "
                        "was altered or not signed by the key's holder)");
  }
  return key;
}

// Adds an extension given in OpenSSL's config syntax ("critical,CA:FALSE").
Status AddConfExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (ext == nullptr || X509_add_ext(cert, ext.get(), -1) != 1) {
    return OpenSslError(StatusCode::kInternal,
                        std::string("adding extension ") + OBJ_nid2sn(nid) + " = " + value);
  }
  return Status::Ok();
}

// The CRL distribution point and authority information access of
// `options`, those that are set.
Status AddPublicationExtensions(X509* cert, X509V3_CTX* ctx, const IssueOptions& options) {
  if (!options.crl_url.empty()) {
    std::string value = "URI:" + options.crl_url;
    ROTOR_RETURN_IF_ERROR(AddConfExtension(cert, ctx, NID_crl_distribution_points, value.c_str()));
  }
  std::string access;
  if (!options.ocsp_url.empty()) access = "OCSP;URI:" + options.ocsp_url;
  if (!options.ca_issuers_url.empty()) {
    access += (access.empty() ? "" : ",") + std::string("caIssuers;URI:") + options.ca_issuers_url;
  }
  if (access.empty()) return Status::Ok();
  return AddConfExtension(cert, ctx, NID_info_access, access.c_str());
}

Status AddLeafExtensions(X509* ca, X509* cert, bool rsa_key, const IssueOptions& options) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, ca, cert, nullptr, nullptr, 0);
  ROTOR_RETURN_IF_ERROR(AddConfExtension(cert, &ctx, NID_basic_constraints, "critical,CA:FALSE"));
  ROTOR_RETURN_IF_ERROR(AddConfExtension(
      cert, &ctx, NID_key_usage,
      rsa_key ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature"));
  ROTOR_RETURN_IF_ERROR(AddConfExtension(cert, &ctx, NID_ext_key_usage, "clientAuth"));
  ROTOR_RETURN_IF_ERROR(AddConfExtension(cert, &ctx, NID_subject_key_identifier, "hash"));
  return AddPublicationExtensions(cert, &ctx, options);
}

Status SetSubjectCommonName(X509* cert, std::string_view cn) {
  X509NamePtr name(X509_NAME_new());
  if (name == nullptr ||
      X509_NAME_add_entry_by_NID(name.get(), NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(cn.data()),
                                 static_cast<int>(cn.size()), -1, 0) != 1 ||
      X509_set_subject_name(cert, name.get()) != 1) {
    return OpenSslError(StatusCode::kInternal, "setting the subject CN=" + std::string(cn));
  }
  return Status::Ok();
}

// Version, serial, issuer, subject, validity and public key.
Status SetCertificateFields(X509* cert, X509* ca, EVP_PKEY* key, const IssueOptions& options,
                            Time not_before, Time not_after) {
  auto serial = SerialToAsn1(options.serial_hex);
  if (!serial.ok()) return serial.status();
  auto nb = ToAsn1Time(not_before);
  if (!nb.ok()) return nb.status().WithContext("not_before");
  auto na = ToAsn1Time(not_after);
  if (!na.ok()) return na.status().WithContext("not_after");
  if (X509_set_version(cert, X509_VERSION_3) != 1 ||
      X509_set_serialNumber(cert, serial->get()) != 1 ||
      X509_set_issuer_name(cert, X509_get_subject_name(ca)) != 1 ||
      X509_set1_notBefore(cert, nb->get()) != 1 || X509_set1_notAfter(cert, na->get()) != 1 ||
      X509_set_pubkey(cert, key) != 1) {
    return OpenSslError(StatusCode::kInternal, "setting certificate fields");
  }
  return SetSubjectCommonName(cert, options.agent_id);
}

Result<IssuedCertificate> Encode(X509* cert, Time not_before, Time not_after) {
  IssuedCertificate out;
  auto der = ToDer("encoding the issued certificate", cert, i2d_X509);
  if (!der.ok()) return der.status();
  out.der = std::move(*der);
  auto pem = WriteToString("PEM-encoding the issued certificate",
                           [cert](BIO* bio) { return PEM_write_bio_X509(bio, cert); });
  if (!pem.ok()) return pem.status();
  out.pem = std::move(*pem);
  out.fingerprint = ToHex(Sha256(out.der));
  auto serial = SerialHexOf(X509_get0_serialNumber(cert));
  if (!serial.ok()) return serial.status();
  out.serial_hex = std::move(*serial);
  out.not_before = not_before;
  out.not_after = not_after;
  return out;
}

}  // namespace

Status CheckPublicationUrl(std::string_view url, std::string_view what) {
  constexpr size_t kMaxUrl = 1024;
  auto fail = [&](const std::string& why) {
    return Status::InvalidArgument(std::string(what) + " '" + std::string(url.substr(0, 80)) +
                                   "' " + why);
  };
  if (url.size() > kMaxUrl) return fail("is longer than 1024 characters");
  std::string_view rest = url;
  if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else {
    return fail("must start with http:// (or https://)");
  }
  if (rest.empty() || rest.front() == '/' || rest.front() == ':') return fail("has no host");
  for (char c : url) {
    if (c <= 0x20 || c >= 0x7f || c == ',' || c == '"' || c == '\\' || c == '\'') {
      return fail("contains a space, comma, quote or non-ASCII character; percent-encode it");
    }
  }
  return Status::Ok();
}

Result<IssuedCertificate> CertificateAuthority::SignCsr(std::string_view csr_pem_or_der,
                                                        const IssueOptions& options) const {
  ERR_clear_error();
  ROTOR_RETURN_IF_ERROR(CheckAgentId(options.agent_id));
  ROTOR_RETURN_IF_ERROR(CanonicalSerialHex(options.serial_hex).status());
  for (const auto& [url, what] :
       {std::pair{&options.crl_url, "crl_url"}, std::pair{&options.ocsp_url, "ocsp_url"},
        std::pair{&options.ca_issuers_url, "ca_issuers_url"}}) {
    if (!url->empty()) ROTOR_RETURN_IF_ERROR(CheckPublicationUrl(*url, what));
  }
  if (options.validity <= Micros(0) || options.validity > kMaxValidity) {
    return Status::InvalidArgument("validity must be positive and at most 100 years");
  }
  Time not_before = TruncateToSeconds(options.not_before);
  Time not_after = TruncateToSeconds(options.not_before + options.validity);
  if (not_after <= not_before) {
    return Status::InvalidArgument("validity must be at least one second");
  }
  if (not_after <= options.now) {
    return Status::InvalidArgument("the certificate would be expired on issue: not_after " +
                                   FormatTime(not_after) + " is not after now " +
                                   FormatTime(options.now));
  }
  ROTOR_RETURN_IF_ERROR(CheckCaValidAt(options.now, "cannot issue"));
  if (not_after > not_after_) {
    return Status::FailedPrecondition("the certificate would outlive the CA: not_after " +
                                      FormatTime(not_after) + " is after the CA's notAfter " +
                                      FormatTime(not_after_) + "; shorten the validity");
  }
  auto req = ParseCsr(csr_pem_or_der);
  if (!req.ok()) return req.status();
  auto key = CheckedCsrKey(req->get());
  if (!key.ok()) return key.status();

  X509Ptr cert(X509_new());
  if (cert == nullptr) return OpenSslError(StatusCode::kInternal, "X509_new");
  ROTOR_RETURN_IF_ERROR(
      SetCertificateFields(cert.get(), cert_.get(), *key, options, not_before, not_after));
  ROTOR_RETURN_IF_ERROR(AddLeafExtensions(cert_.get(), cert.get(), IsRsaKey(*key), options));
  auto akid = AuthorityKeyIdExtension();
  if (!akid.ok()) return akid.status();
  if (X509_add_ext(cert.get(), akid->get(), -1) != 1) {
    return OpenSslError(StatusCode::kInternal, "adding the authority key identifier");
  }
  if (X509_sign(cert.get(), key_.get(), EVP_sha256()) <= 0) {
    return OpenSslError(StatusCode::kInternal, "signing the certificate with the CA key");
  }
  return Encode(cert.get(), not_before, not_after);
}

}  // namespace rotor::ca
