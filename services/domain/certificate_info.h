// CertificateInfo: the facts Rotor records about an X.509 certificate, as a
// plain value. services/pki/ produces it from PEM or DER bytes (OpenSSL); the
// domain only reads it, so the domain never links OpenSSL. Thread-compatible.
#pragma once

#include <string>

#include "base/time.h"

namespace rotor::domain {

struct CertificateInfo {
  std::string fingerprint;  // lower-case hex SHA-256 of `der`
  std::string subject;      // RFC 2253, e.g. "CN=ns.example.com,O=Example"
  std::string issuer;       // RFC 2253
  std::string serial_hex;   // lower-case hex, no leading "0x"
  Time not_before;
  Time not_after;
  std::string key_algorithm;  // "RSA-2048", "EC-prime256v1", "ED25519", ...
  std::string der;            // the DER encoding
  bool operator==(const CertificateInfo&) const = default;
};

}  // namespace rotor::domain
