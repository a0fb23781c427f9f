// The TLS client certificate of a request, and the principal it stands for
// (docs/operations.md, "Trust model"). With --client-ca, the TLS handshake
// already required a client certificate that chains to that CA; a request
// that sends no bearer token is then authenticated by the certificate alone:
// as the person and role a `cert-sha256:` line of the tokens file maps it to
// (by its SHA-256 fingerprint: TokenStore::FindCertificate), and otherwise
// as an agent principal:
//   role     agent (only a line of the tokens file grants another role),
//   agent id the subject's common name (CN), which is what the CEM CA puts
//            there (CN=<agent id>); without a CN, the certificate's one DNS
//            subjectAltName,
//   name     "cert:" followed by the subject in RFC 2253 form
//            ("cert:CN=agent-0001"), recorded as the actor of its events.
// Whether a certificate Rotor revoked may still get in is not decided here
// but by Api::CheckClientCertificate (the revocation events).
// Stateless free functions; thread-safe.
#pragma once

#include <openssl/ssl.h>

#include <string>

#include "base/status.h"
#include "services/app/api.h"

namespace rotor::http {

// A verified client certificate, as Rotor names it.
struct ClientCertificate {
  std::string subject;      // RFC 2253, as services/pki renders it
  std::string issuer;       // RFC 2253
  std::string serial_hex;   // lower-case hex
  std::string fingerprint;  // lower-case hex SHA-256 of the DER encoding
  std::string agent_id;     // the CN, else the one DNS subjectAltName; may be empty
};

// The verified peer certificate of `ssl`. Errors: kUnauthenticated when there
// is none, it did not verify, or it cannot be parsed.
Result<ClientCertificate> VerifiedClientCertificate(const SSL* ssl);

// The agent principal `cert` stands for. Errors: kUnauthenticated when it
// carries no usable agent id (naming what it carries).
Result<app::Principal> ClientCertificatePrincipal(const ClientCertificate& cert);

}  // namespace rotor::http
