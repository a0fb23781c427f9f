#include "services/transparency/note.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "base/base64.h"
#include "base/coding.h"
#include "base/hash.h"

namespace rotor::transparency {
namespace {

constexpr uint8_t kAlgEd25519 = 0x01;
constexpr std::string_view kSigPrefix = "\xE2\x80\x94 ";  // U+2014 and a space
constexpr std::string_view kSignerPrefix = "PRIVATE+KEY+";

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

std::string_view Bytes(const std::array<uint8_t, 32>& a) {
  return {reinterpret_cast<const char*>(a.data()), a.size()};
}

Status CheckName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("a note key name must not be empty");
  for (char c : name) {
    if (c == '+' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      return Status::InvalidArgument("note key name '" + std::string(name) +
                                     "' holds a space, a '+' or a line break");
    }
  }
  return Status::Ok();
}

uint32_t KeyHash(std::string_view name, const std::array<uint8_t, 32>& public_key) {
  std::string prefix = std::string(name) + "\n";
  prefix.push_back(static_cast<char>(kAlgEd25519));
  Sha256Digest d = Sha256(prefix, Bytes(public_key));
  return DecodeBigEndian32(reinterpret_cast<const char*>(d.data()));
}

std::string Hex8(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

// Splits "a+b+rest" at its first n - 1 '+' (the last field is base64, which
// may hold '+' itself), as Go's note package does.
bool SplitPlus(std::string_view text, size_t n, std::vector<std::string_view>* out) {
  out->clear();
  while (out->size() + 1 < n) {
    size_t plus = text.find('+');
    if (plus == std::string_view::npos) return false;
    out->push_back(text.substr(0, plus));
    text.remove_prefix(plus + 1);
  }
  out->push_back(text);
  return true;
}

// Decodes a key's name, hash and 32-byte Ed25519 key, checking the hash
// against `public_key_for_hash` (the key itself for verifier keys).
Status ParseKeyFields(std::string_view what, std::string_view name, std::string_view hash_hex,
                      std::string_view key_b64, std::string* name_out, uint32_t* hash_out,
                      std::array<uint8_t, 32>* key_out) {
  ROTOR_RETURN_IF_ERROR(CheckName(name));
  if (hash_hex.size() != 8 ||
      hash_hex.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    return Status::InvalidArgument(std::string(what) + ": key hash is not 8 lower-case hex digits");
  }
  Result<std::string> key = Base64Decode(key_b64, what);
  if (!key.ok()) return key.status();
  if (key->size() != 33 || static_cast<uint8_t>((*key)[0]) != kAlgEd25519) {
    return Status::InvalidArgument(std::string(what) +
                                   ": not an Ed25519 key (algorithm 1, 32 bytes)");
  }
  *name_out = std::string(name);
  *hash_out = static_cast<uint32_t>(std::stoul(std::string(hash_hex), nullptr, 16));
  std::memcpy(key_out->data(), key->data() + 1, 32);
  return Status::Ok();
}

Status OpenSslError(std::string_view what) {
  return Status::Internal(std::string(what) + " failed in OpenSSL");
}

}  // namespace

Result<NoteVerifier> NoteVerifier::Parse(std::string_view verifier_key) {
  std::vector<std::string_view> f;
  if (!SplitPlus(verifier_key, 3, &f)) {
    return Status::InvalidArgument("verifier key is not name+hash+key");
  }
  NoteVerifier v;
  ROTOR_RETURN_IF_ERROR(
      ParseKeyFields("verifier key", f[0], f[1], f[2], &v.name_, &v.key_hash_, &v.public_key_));
  if (KeyHash(v.name_, v.public_key_) != v.key_hash_) {
    return Status::InvalidArgument("verifier key: the key hash does not match the key");
  }
  return v;
}

std::string NoteVerifier::Key() const {
  std::string key(1, static_cast<char>(kAlgEd25519));
  key.append(Bytes(public_key_));
  return name_ + "+" + Hex8(key_hash_) + "+" + Base64Encode(key);
}

Result<std::string> NoteVerifier::Open(std::string_view note) const {
  size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos || note.empty() || note.back() != '\n') {
    return Status::InvalidArgument("malformed note: no blank line before the signatures");
  }
  std::string_view text = note.substr(0, split + 1);
  std::string_view sigs = note.substr(split + 2);
  bool found = false;
  while (!sigs.empty()) {
    size_t end = sigs.find('\n');
    std::string_view line = sigs.substr(0, end);
    sigs.remove_prefix(end + 1);
    if (!line.starts_with(kSigPrefix)) {
      return Status::InvalidArgument("malformed note: a signature line does not start with U+2014");
    }
    line.remove_prefix(kSigPrefix.size());
    size_t space = line.find(' ');
    if (space == std::string_view::npos) {
      return Status::InvalidArgument("malformed note: a signature line has no key name");
    }
    if (line.substr(0, space) != name_) continue;
    Result<std::string> sig = Base64Decode(line.substr(space + 1), "note signature");
    if (!sig.ok()) return sig.status();
    if (sig->size() < 4) return Status::InvalidArgument("malformed note: signature too short");
    uint32_t hash = DecodeBigEndian32(sig->data());
    if (hash != key_hash_) continue;
    found = true;
    PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key_.data(), 32));
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!pkey || !ctx ||
        EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) {
      return OpenSslError("Ed25519 verify setup");
    }
    if (EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig->data() + 4),
                         sig->size() - 4, reinterpret_cast<const unsigned char*>(text.data()),
                         text.size()) == 1) {
      return std::string(text);
    }
  }
  return Status::PermissionDenied(found ? "the note's signature by '" + name_ + "' does not verify"
                                        : "the note carries no signature by '" + name_ + "'");
}

Result<NoteSigner> NoteSigner::Generate(std::string_view name) {
  ROTOR_RETURN_IF_ERROR(CheckName(name));
  EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (raw == nullptr) return OpenSslError("Ed25519 key generation");
  PkeyPtr pkey(raw);
  NoteSigner s;
  s.name_ = std::string(name);
  size_t seed_len = 32;
  size_t pub_len = 32;
  if (EVP_PKEY_get_raw_private_key(pkey.get(), s.seed_.data(), &seed_len) != 1 ||
      EVP_PKEY_get_raw_public_key(pkey.get(), s.public_key_.data(), &pub_len) != 1) {
    return OpenSslError("Ed25519 key export");
  }
  s.key_hash_ = KeyHash(s.name_, s.public_key_);
  return s;
}

Result<NoteSigner> NoteSigner::Parse(std::string_view signer_key) {
  while (!signer_key.empty() && (signer_key.back() == '\n' || signer_key.back() == '\r')) {
    signer_key.remove_suffix(1);
  }
  if (!signer_key.starts_with(kSignerPrefix)) {
    return Status::InvalidArgument("signer key does not start with PRIVATE+KEY+");
  }
  std::vector<std::string_view> f;
  if (!SplitPlus(signer_key.substr(kSignerPrefix.size()), 3, &f)) {
    return Status::InvalidArgument("signer key is not PRIVATE+KEY+name+hash+key");
  }
  NoteSigner s;
  ROTOR_RETURN_IF_ERROR(
      ParseKeyFields("signer key", f[0], f[1], f[2], &s.name_, &s.key_hash_, &s.seed_));
  PkeyPtr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, s.seed_.data(), 32));
  size_t pub_len = 32;
  if (!pkey || EVP_PKEY_get_raw_public_key(pkey.get(), s.public_key_.data(), &pub_len) != 1) {
    return OpenSslError("Ed25519 key import");
  }
  if (KeyHash(s.name_, s.public_key_) != s.key_hash_) {
    return Status::InvalidArgument("signer key: the key hash does not match the key");
  }
  return s;
}

std::string NoteSigner::SignerKey() const {
  std::string key(1, static_cast<char>(kAlgEd25519));
  key.append(Bytes(seed_));
  return std::string(kSignerPrefix) + name_ + "+" + Hex8(key_hash_) + "+" + Base64Encode(key);
}

std::string NoteSigner::VerifierKey() const {
  std::string key(1, static_cast<char>(kAlgEd25519));
  key.append(Bytes(public_key_));
  return name_ + "+" + Hex8(key_hash_) + "+" + Base64Encode(key);
}

Result<std::string> NoteSigner::Sign(std::string_view text) const {
  if (text.empty() || text.back() != '\n') {
    return Status::InvalidArgument("note text must end with a newline");
  }
  if (text.find("\n\n") != std::string_view::npos) {
    return Status::InvalidArgument("note text must not contain a blank line");
  }
  PkeyPtr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed_.data(), 32));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!pkey || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) {
    return OpenSslError("Ed25519 sign setup");
  }
  std::string sig(4 + 64, '\0');
  EncodeBigEndian32(sig.data(), key_hash_);
  size_t sig_len = 64;
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data() + 4), &sig_len,
                     reinterpret_cast<const unsigned char*>(text.data()), text.size()) != 1 ||
      sig_len != 64) {
    return OpenSslError("Ed25519 signing");
  }
  return std::string(text) + "\n" + std::string(kSigPrefix) + name_ + " " + Base64Encode(sig) +
         "\n";
}

}  // namespace rotor::transparency
