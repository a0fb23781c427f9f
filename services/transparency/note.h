// Signed notes (C2SP signed-note) with Ed25519 keys through OpenSSL: the
// envelope of Rotor's checkpoints (docs/audit.md). The key formats are those
// of Go's golang.org/x/mod/sumdb/note, so that verifiers no one here wrote
// read them:
//   verifier key  <name>+<key hash, 8 hex digits>+<base64(0x01 || public key)>
//   signer key    PRIVATE+KEY+<name>+<key hash>+<base64(0x01 || private seed)>
// key hash = the first 4 bytes (big-endian) of SHA-256(name || "\n" || 0x01 || public key).
// A note is its text (ending in a newline), a blank line, then one line per
// signature: U+2014, a space, the key name, a space, base64(key hash || signature).
//
// Value types; thread-compatible (const methods are safe concurrently).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace rotor::transparency {

class NoteVerifier {
 public:
  // Parses a verifier key. Errors: kInvalidArgument naming what is wrong.
  static Result<NoteVerifier> Parse(std::string_view verifier_key);

  // Returns the note's text when it carries a valid signature by this key.
  // Errors: kInvalidArgument (a malformed note), kPermissionDenied (no
  // signature by this key, or one that does not verify).
  Result<std::string> Open(std::string_view note) const;

  const std::string& name() const { return name_; }
  uint32_t key_hash() const { return key_hash_; }
  // The verifier key text.
  std::string Key() const;

 private:
  std::string name_;
  uint32_t key_hash_ = 0;
  std::array<uint8_t, 32> public_key_{};
};

class NoteSigner {
 public:
  // A new key named `name` (a note key name: no spaces, '+' or newlines).
  // Errors: kInvalidArgument (bad name), kInternal (OpenSSL).
  static Result<NoteSigner> Generate(std::string_view name);
  // Parses a signer key. Errors: kInvalidArgument naming what is wrong.
  static Result<NoteSigner> Parse(std::string_view signer_key);

  // The note: `text` (which must end in a newline and hold no blank-line
  // separator) signed by this key. Errors: kInvalidArgument, kInternal.
  Result<std::string> Sign(std::string_view text) const;

  const std::string& name() const { return name_; }
  std::string SignerKey() const;
  std::string VerifierKey() const;

 private:
  std::string name_;
  uint32_t key_hash_ = 0;
  std::array<uint8_t, 32> seed_{};
  std::array<uint8_t, 32> public_key_{};
};

}  // namespace rotor::transparency
