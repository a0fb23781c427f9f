#include "services/http/tokens.h"

#include <fstream>
#include <sstream>
#include <vector>

#include "events/hash.h"

namespace rotor::http {
namespace {

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
    if (words.size() != 3) {
      return Status::InvalidArgument(where + ": expected `token name role`, found " +
                                     std::to_string(words.size()) + " words");
    }
    Result<app::Role> role = app::ParseRole(words[2]);
    if (!role.ok()) return role.status().WithContext(where);
    std::string digest = Digest(words[0]);
    if (store.by_digest_.count(digest) > 0) {
      return Status::InvalidArgument(where + ": token of '" + words[1] +
                                     "' repeats an earlier line's token");
    }
    store.by_digest_[digest] = app::Principal{words[1], *role};
  }
  return store;
}

std::optional<app::Principal> TokenStore::Find(std::string_view token) const {
  if (token.empty()) return std::nullopt;
  auto it = by_digest_.find(Digest(token));
  if (it == by_digest_.end()) return std::nullopt;
  return it->second;
}

}  // namespace rotor::http
