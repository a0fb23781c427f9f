// SHA-256 (OpenSSL EVP) and hex helpers used by the hash chain and for
// certificate fingerprints. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/coding.h"

namespace rotor {

using Sha256Digest = std::array<uint8_t, 32>;

// SHA-256 of `a` followed by `b`.
Sha256Digest Sha256(std::string_view a, std::string_view b = {});

// ToHex(bytes) is in base/coding.h.
inline std::string ToHex(const Sha256Digest& d) {
  return ToHex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

// True when `s` is 64 lower-case hex digits (a SHA-256 fingerprint).
bool IsSha256Hex(std::string_view s);

// Reads a digest written by ToHex. False, and `out` unchanged, unless `hex`
// is 64 lower-case hex digits.
bool Sha256FromHex(std::string_view hex, Sha256Digest* out);

}  // namespace rotor
