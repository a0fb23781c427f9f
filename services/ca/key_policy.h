// Which public keys Rotor's CA accepts, for agents' CSRs and for the CA's
// own key. Allowed: RSA of 2048 to 16384 bits, and EC on the NIST curves
// P-256, P-384 and P-521. Everything else (RSA below 2048 bits, RSA-PSS-only
// keys, DSA, other curves, EdDSA) is refused, because gateways must be able to
// verify the resulting signatures and RSA below 2048 bits is broken by
// policy (NIST SP 800-131A). Thread-safe (pure functions).
#pragma once

#include <openssl/evp.h>

#include <string_view>

#include "base/status.h"

namespace rotor::ca {

// Returns Ok when `key` is allowed. Errors: kInvalidArgument naming `whose`
// ("CSR public key") and what is wrong ("RSA 1024-bit is too weak: at least
// 2048 bits are required").
Status CheckKeyAllowed(const EVP_PKEY* key, std::string_view whose);

// True when `key` is an RSA key (certificates for it also get keyEncipherment).
bool IsRsaKey(const EVP_PKEY* key);

}  // namespace rotor::ca
