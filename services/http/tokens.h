// TokenStore: the bearer tokens rotord accepts, loaded from a tokens file.
//
// File format (docs/operations.md): one token per line, `token name role`,
// separated by spaces or tabs; `#` starts a comment; blank lines are ignored.
// `name` is the actor recorded in every event the token's requests cause;
// `role` is admin, operator, auditor or agent. Tokens are kept as SHA-256
// digests, so a lookup's timing does not depend on how much of a guess matched.
//
// Value type; immutable after Load, so Find is safe to call concurrently.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "events/status.h"
#include "services/app/api.h"

namespace rotor::http {

class TokenStore {
 public:
  // Reads `path`. Errors: kIoError when it cannot be read; kInvalidArgument
  // naming the line for a malformed line, an unknown role or a repeated token.
  static Result<TokenStore> Load(const std::string& path);
  // Parses the file's text; `source` names it in errors. Errors: as Load.
  static Result<TokenStore> Parse(std::string_view text, const std::string& source);

  // The principal of `token`; nullopt when unknown.
  std::optional<app::Principal> Find(std::string_view token) const;
  size_t size() const { return by_digest_.size(); }

 private:
  std::map<std::string, app::Principal> by_digest_;  // hex SHA-256 of the token
};

}  // namespace rotor::http
