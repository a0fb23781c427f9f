#include "services/http/tokens.h"

#include <openssl/rand.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "base/hash.h"
#include "services/domain/validation.h"

namespace rotor::http {
namespace {

constexpr std::string_view kDigestPrefix = "sha256:";
constexpr std::string_view kCertificatePrefix = "cert-sha256:";
constexpr size_t kMaxNameLength = 128;

std::vector<std::string> Words(std::string_view line) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) words.emplace_back(line.substr(start, i - start));
  }
  return words;
}

std::string Digest(std::string_view token) { return ToHex(Sha256(token)); }

// The rules of one token's name, role and agent id (Parse and MakeLine).
Status CheckEntry(const std::string& name, app::Role role, const std::string& agent_id) {
  if (name.empty() || name.size() > kMaxNameLength) {
    return Status::InvalidArgument("a token name has 1 to " + std::to_string(kMaxNameLength) +
                                   " characters");
  }
  for (char c : name) {
    if (c == ':' || c == '#' || static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
      return Status::InvalidArgument(
          "token name '" + name +
          "' may not hold ':', '#', spaces or control characters (names with ':' are rotord's "
          "own principals)");
    }
  }
  if (role == app::Role::kAgent) {
    if (agent_id.empty()) {
      return Status::InvalidArgument("the agent token '" + name +
                                     "' must name the one agent it speaks for");
    }
    return domain::CheckId("agent id", agent_id);
  }
  if (!agent_id.empty()) {
    return Status::InvalidArgument("only an agent token names an agent; '" + name + "' has role " +
                                   std::string(app::RoleName(role)));
  }
  return Status::Ok();
}

Status PlaintextLine(const std::string& where, const std::string& name) {
  return Status::InvalidArgument(
      where + ": the token of '" + name +
      "' is stored in plaintext; a tokens file holds only SHA-256 digests. Replace the first word "
      "by sha256:<hex>, where <hex> is the output of `printf %s 'THE-TOKEN' | sha256sum`, or "
      "issue a new token with `rotorctl token create` (docs/operations.md, \"Tokens\")");
}

}  // namespace

Result<TokenStore> TokenStore::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read tokens file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

Result<TokenStore> TokenStore::Parse(std::string_view text, const std::string& source) {
  TokenStore store;
  size_t line_number = 0;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++line_number;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::vector<std::string> words = Words(line);
    if (words.empty()) continue;
    std::string where = source + ":" + std::to_string(line_number);
    if (words[0].compare(0, kCertificatePrefix.size(), kCertificatePrefix) == 0) {
      ROTOR_RETURN_IF_ERROR(store.AddCertificate(words, where));
      continue;
    }
    if (words.size() < 3 || words.size() > 4) {
      return Status::InvalidArgument(where +
                                     ": expected `sha256:<hex> name role [agent-id]`, found " +
                                     std::to_string(words.size()) + " words");
    }
    if (words[0].compare(0, kDigestPrefix.size(), kDigestPrefix) != 0) {
      return PlaintextLine(where, words[1]);
    }
    std::string digest = words[0].substr(kDigestPrefix.size());
    if (!IsSha256Hex(digest)) {
      return Status::InvalidArgument(where + ": the digest of '" + words[1] +
                                     "' is not 64 lower-case hex digits after sha256:");
    }
    Result<app::Role> role = app::ParseRole(words[2]);
    if (!role.ok()) return role.status().WithContext(where);
    std::string agent_id = words.size() == 4 ? words[3] : "";
    Status entry = CheckEntry(words[1], *role, agent_id);
    if (!entry.ok()) return entry.WithContext(where);
    if (store.by_digest_.count(digest) > 0) {
      return Status::InvalidArgument(where + ": token of '" + words[1] +
                                     "' repeats an earlier line's token");
    }
    store.by_digest_[digest] = app::Principal{words[1], *role, agent_id};
  }
  return store;
}

Result<std::string> TokenStore::MakeLine(std::string_view secret, const std::string& name,
                                         app::Role role, const std::string& agent_id) {
  if (secret.empty()) return Status::InvalidArgument("a token's secret is empty");
  ROTOR_RETURN_IF_ERROR(CheckEntry(name, role, agent_id));
  std::string line = std::string(kDigestPrefix) + Digest(secret) + " " + name + " " +
                     std::string(app::RoleName(role));
  if (!agent_id.empty()) line += " " + agent_id;
  return line + "\n";
}

Result<std::string> TokenStore::MakeCertificateLine(std::string_view fingerprint,
                                                    const std::string& name, app::Role role) {
  std::string line = std::string(kCertificatePrefix) + std::string(fingerprint) + " " + name + " " +
                     std::string(app::RoleName(role));
  TokenStore check;  // the line must be one that Parse reads back
  ROTOR_RETURN_IF_ERROR(check.AddCertificate(Words(line), "the certificate line"));
  return line + "\n";
}

Result<std::string> TokenStore::NewSecret() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return Status::Internal("OpenSSL's RAND_bytes failed to make a token");
  }
  return "rotor_" + ToHex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

Status TokenStore::AddCertificate(const std::vector<std::string>& words, const std::string& where) {
  if (words.size() != 3) {
    return Status::InvalidArgument(where + ": expected `cert-sha256:<hex> name role`, found " +
                                   std::to_string(words.size()) + " words");
  }
  std::string fingerprint = words[0].substr(kCertificatePrefix.size());
  if (!IsSha256Hex(fingerprint)) {
    return Status::InvalidArgument(where + ": the certificate fingerprint of '" + words[1] +
                                   "' is not 64 lower-case hex digits after cert-sha256:");
  }
  Result<app::Role> role = app::ParseRole(words[2]);
  if (!role.ok()) return role.status().WithContext(where);
  if (*role == app::Role::kAgent) {
    return Status::InvalidArgument(
        where + ": the client certificate of '" + words[1] +
        "' may not have role agent: an agent's certificate needs no line, its CN names the agent");
  }
  ROTOR_RETURN_IF_ERROR(CheckEntry(words[1], *role, "").WithContext(where));
  if (by_certificate_.count(fingerprint) > 0) {
    return Status::InvalidArgument(where + ": the client certificate of '" + words[1] +
                                   "' repeats an earlier line's certificate");
  }
  by_certificate_[fingerprint] = app::Principal{words[1], *role, ""};
  return Status::Ok();
}

std::optional<app::Principal> TokenStore::FindCertificate(std::string_view fingerprint) const {
  auto it = by_certificate_.find(fingerprint);
  if (it == by_certificate_.end()) return std::nullopt;
  return it->second;
}

std::optional<app::Principal> TokenStore::Find(std::string_view token) const {
  if (token.empty()) return std::nullopt;
  auto it = by_digest_.find(Digest(token));
  if (it == by_digest_.end()) return std::nullopt;
  return it->second;
}

}  // namespace rotor::http
