#include "services/http/client_certificate.h"

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <string>

#include "services/ca/ossl.h"
#include "services/domain/validation.h"
#include "services/pki/certificate_parser.h"

namespace rotor::http {
namespace {

using GeneralNamesPtr = ca::OsslPtr<GENERAL_NAMES, GENERAL_NAMES_free>;

std::string Utf8(const ASN1_STRING* value) {
  unsigned char* utf8 = nullptr;
  int length = ASN1_STRING_to_UTF8(&utf8, value);
  if (length < 0) return "";
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<size_t>(length));
  OPENSSL_free(utf8);
  return out;
}

// The subject's CN; else the one DNS subjectAltName; else empty.
std::string AgentIdOf(X509* cert) {
  X509_NAME* subject = X509_get_subject_name(cert);
  int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index >= 0) {
    return Utf8(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
  }
  GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  std::string dns;
  int count = 0;
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_DNS) continue;
    ++count;
    dns = Utf8(name->d.dNSName);
  }
  return count == 1 ? dns : "";
}

}  // namespace

Result<ClientCertificate> VerifiedClientCertificate(const SSL* ssl) {
  if (ssl == nullptr) return Status::Unauthenticated("no TLS client certificate");
  ca::X509Ptr cert(SSL_get1_peer_certificate(ssl));
  if (cert == nullptr) return Status::Unauthenticated("no TLS client certificate");
  if (SSL_get_verify_result(ssl) != X509_V_OK) {
    return Status::Unauthenticated("the TLS client certificate did not verify");
  }
  // The names as Rotor records them for every certificate (RFC 2253).
  Result<std::string> der = ca::ToDer("encoding the client certificate", cert.get(), i2d_X509);
  if (!der.ok()) return Status::Unauthenticated(der.status().message());
  Result<CertificateInfo> info = pki::ParseCertificate(*der);
  if (!info.ok()) {
    return Status::Unauthenticated("the client certificate: " + info.status().message());
  }
  return ClientCertificate{info->subject, info->issuer, info->serial_hex, info->fingerprint,
                           AgentIdOf(cert.get())};
}

Result<app::Principal> ClientCertificatePrincipal(const ClientCertificate& cert) {
  if (cert.agent_id.empty()) {
    return Status::Unauthenticated("the client certificate '" + cert.subject +
                                   "' names no agent: its subject has no CN and it has not "
                                   "exactly one DNS subjectAltName");
  }
  Status id = domain::CheckId("agent id", cert.agent_id);
  if (!id.ok()) {
    return Status::Unauthenticated("the client certificate '" + cert.subject +
                                   "': " + id.message());
  }
  return app::Principal{"cert:" + cert.subject, app::Role::kAgent, cert.agent_id};
}

}  // namespace rotor::http
