// Parses X.509 certificates (PEM or DER) with OpenSSL into the domain's plain
// CertificateInfo: SHA-256 fingerprint of the DER encoding, subject, issuer,
// serial, validity and key algorithm. No domain rules (expiry, duplicates) are
// checked here; the deciders do that. Thread-safe (no shared state; OpenSSL's
// error queue is per thread and is left empty).
#pragma once

#include <string_view>

#include "base/status.h"
#include "events/certificate.h"

namespace rotor::pki {

// Parses one certificate from `bytes`: PEM when the bytes hold a
// "-----BEGIN CERTIFICATE-----" block (the first block is used), DER
// otherwise (the whole input must be exactly one certificate).
// Errors: kInvalidArgument for empty input, bytes that are neither, trailing
// bytes after a DER certificate, or validity times OpenSSL cannot convert.
Result<CertificateInfo> ParseCertificate(std::string_view bytes);

}  // namespace rotor::pki
