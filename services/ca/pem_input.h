// Parsing of PEM and DER inputs for the CA: the CA certificate and key
// (trusted configuration) and agents' CSRs (untrusted network input). Each
// parser refuses trailing garbage and oversized input and names the source
// in its errors. Returned objects are owned by the caller. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "services/ca/ossl.h"

namespace rotor::ca {

// The first certificate in `pem`. Errors: kInvalidArgument naming `source`
// when there is no parsable PEM CERTIFICATE block.
Result<X509Ptr> ReadPemCertificate(std::string_view pem, const std::string& source);

// The private key in `pem` (PKCS#8, or traditional RSA/EC). Never prompts for
// a passphrase. Errors: kInvalidArgument naming `source` when the key is
// encrypted or cannot be parsed.
Result<EvpPkeyPtr> ReadPemPrivateKey(std::string_view pem, const std::string& source);

// A certificate signing request in PEM ("CERTIFICATE REQUEST" or "NEW
// CERTIFICATE REQUEST") or DER, at most 64 KiB. Does not verify it.
// Errors: kInvalidArgument for empty, oversized, unparsable input, or DER
// with trailing bytes.
Result<X509ReqPtr> ParseCsr(std::string_view csr_pem_or_der);

}  // namespace rotor::ca
