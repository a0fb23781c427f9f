// The principal of a TLS client certificate (docs/operations.md, "Trust
// model"). With --client-ca, the TLS handshake already required a client
// certificate that chains to that CA; a request that sends no bearer token
// is then authenticated by the certificate alone, as an agent principal:
//   role     agent (a certificate never grants operator, auditor, admin or
//            ingest: those use tokens),
//   agent id the subject's common name (CN), which is what the CEM CA puts
//            there (CN=<agent id>); without a CN, the certificate's one DNS
//            subjectAltName,
//   name     "cert:" followed by the subject in RFC 2253 form
//            ("cert:CN=agent-0001"), recorded as the actor of its events.
// Stateless free function; thread-safe.
#pragma once

#include <openssl/ssl.h>

#include "events/status.h"
#include "services/app/api.h"

namespace rotor::http {

// The principal of the verified peer certificate of `ssl`. Errors:
// kUnauthenticated when there is no verified client certificate, or it
// carries no usable agent id (naming what it carries).
Result<app::Principal> ClientCertificatePrincipal(const SSL* ssl);

}  // namespace rotor::http
