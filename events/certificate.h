// The facts Rotor records about an X.509 certificate, as plain values, in
// one place: CertificateFacts is what every record of a certificate holds
// (the CertificateRegistered event, the deciders' CertificateState);
// CertificateInfo adds the DER encoding, as services/pki/ parses it from PEM
// or DER bytes (OpenSSL), so that the domain never links OpenSSL.
// Value types; thread-compatible.
#pragma once

#include <string>

#include "base/time.h"

namespace rotor {

struct CertificateFacts {
  std::string fingerprint;  // lower-case hex SHA-256 of the DER encoding
  std::string subject;      // RFC 2253, e.g. "CN=ns.example.com,O=Example"
  std::string issuer;       // RFC 2253
  std::string serial_hex;   // lower-case hex, no leading "0x"
  Time not_before;
  Time not_after;
  std::string key_algorithm;  // "RSA-2048", "EC-prime256v1", "ED25519", ...
  bool operator==(const CertificateFacts&) const = default;
};

struct CertificateInfo : CertificateFacts {
  std::string der;  // the DER encoding
  bool operator==(const CertificateInfo&) const = default;
};

}  // namespace rotor
