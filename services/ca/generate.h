// Key, CA and CSR generation for tests, the fleet simulator and demos: a
// self-signed CEM issuing CA, and an agent's key pair with a CSR. Production
// CAs come from the operator's PKI; these helpers exist so that everything
// else can be exercised without one. Keys are returned as unencrypted PKCS#8
// PEM. Thread-safe (no shared state; OpenSSL's RNG is thread-safe).
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "base/status.h"
#include "base/time.h"

namespace rotor::ca {

enum class KeyType {
  kEcP256,
  kRsa2048,
  // Too weak for Rotor's CA; exists so that tests can check it is refused.
  kRsa1024,
};

// Returns (cert_pem, key_pem): a self-signed v3 CA certificate with subject
// CN=<subject_cn>, a random 128-bit serial, basicConstraints CA:TRUE
// (critical), keyUsage keyCertSign + cRLSign + digitalSignature (critical),
// subject and authority key identifiers, signed with SHA-256, valid from
// not_before to not_after (truncated to seconds). The key is EC P-256 unless
// `key_type` says otherwise. Errors: kInvalidArgument for an empty or
// over-long CN or not_after not after not_before; kInternal when OpenSSL fails.
Result<std::pair<std::string, std::string>> GenerateSelfSignedCa(
    std::string_view subject_cn, Time not_before, Time not_after,
    KeyType key_type = KeyType::kEcP256);

// Returns (csr_pem, key_pem): a fresh key of `key_type` and a PKCS#10 CSR
// with subject CN=<agent_id>, self-signed with SHA-256.
// Errors: kInvalidArgument for an empty or over-long agent_id; kInternal when
// OpenSSL fails.
Result<std::pair<std::string, std::string>> MakeCsr(std::string_view agent_id,
                                                    KeyType key_type = KeyType::kEcP256);

}  // namespace rotor::ca
