// TokenStore: the bearer tokens rotord accepts, loaded from a tokens file
// that holds only their SHA-256 digests, and the people's client
// certificates it maps to a role (docs/operations.md, "Tokens").
//
// File format: one token a line, words separated by spaces or tabs; `#`
// starts a comment; blank lines are ignored:
//   sha256:<64 lower-case hex digits> NAME ROLE [AGENT-ID]
// The digest is the SHA-256 of the secret the client sends as
// `Authorization: Bearer <secret>`. NAME is the actor recorded in every event
// the token's requests cause; it may not contain ':' (names with ':' are
// rotord's own principals, such as "kafka:<topic>" and "cert:CN=...").
// ROLE is admin, operator, auditor, agent or ingest. An agent token names
// the one agent it speaks for (AGENT-ID); no other role names an agent.
// A client certificate line maps one certificate (with rotord --client-ca) to
// a person and a role, so that a browser presenting it signs in without a
// token:
//   cert-sha256:<64 lower-case hex digits> NAME ROLE
// The digest is the certificate's SHA-256 fingerprint (of its DER encoding,
// as `openssl x509 -noout -fingerprint -sha256` prints it, without colons).
// ROLE is admin, operator, auditor or ingest: an agent's certificate needs no
// line (its CN names the agent). NAME follows the token rules.
// A line whose first word is neither is a plaintext token from before this
// format: it is refused, naming the line and how to convert it, so that no
// secret stays on disk by accident.
//
// Value type; immutable after Load, so Find is safe to call concurrently.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "services/app/api.h"

namespace rotor::http {

class TokenStore {
 public:
  // Reads `path`. Errors: kIoError when it cannot be read; kInvalidArgument
  // naming the file and line for a malformed line, a plaintext token, an
  // unknown role, a bad name or agent id, or a repeated digest.
  static Result<TokenStore> Load(const std::string& path);
  // Parses the file's text; `source` names it in errors. Errors: as Load.
  static Result<TokenStore> Parse(std::string_view text, const std::string& source);

  // The tokens-file line (with its '\n') for a new token whose secret is
  // `secret`. Errors: kInvalidArgument for an empty secret, a bad name, or
  // an agent id missing (role agent) or present (any other role).
  static Result<std::string> MakeLine(std::string_view secret, const std::string& name,
                                      app::Role role, const std::string& agent_id);

  // The tokens-file line (with its '\n') that maps the client certificate
  // whose lower-case hex SHA-256 is `fingerprint` to `name` with `role`.
  // Errors: kInvalidArgument for a bad fingerprint or name, or role agent.
  static Result<std::string> MakeCertificateLine(std::string_view fingerprint,
                                                 const std::string& name, app::Role role);

  // A new random secret: "rotor_" and 64 hex digits from OpenSSL's RAND_bytes
  // (256 bits). Errors: kInternal when the generator fails.
  static Result<std::string> NewSecret();

  // The principal of `token`; nullopt when unknown.
  std::optional<app::Principal> Find(std::string_view token) const;
  // The principal a cert-sha256 line maps the certificate whose lower-case
  // hex SHA-256 fingerprint is `fingerprint` to; nullopt when none does.
  std::optional<app::Principal> FindCertificate(std::string_view fingerprint) const;
  // The number of lines: tokens and client certificates.
  size_t size() const { return by_digest_.size() + by_certificate_.size(); }

 private:
  // Parses one certificate line's words into by_certificate_. Errors: as Parse.
  Status AddCertificate(const std::vector<std::string>& words, const std::string& where);

  std::map<std::string, app::Principal> by_digest_;                    // hex SHA-256 of the token
  std::map<std::string, app::Principal, std::less<>> by_certificate_;  // fingerprint
};

}  // namespace rotor::http
