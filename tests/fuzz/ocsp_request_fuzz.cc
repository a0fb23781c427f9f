// Target: OCSP requests (services/ca/ocsp.cc, ParseOcspRequest over
// OpenSSL's d2i_OCSP_REQUEST), the bytes anyone may POST to the public
// responder. It must refuse what RFC 6960's policy in ocsp.h refuses and
// never crash; what it accepts must respect that policy: between 1 and
// kMaxOcspCertIds CertIDs, a nonce of 1 to 32 octets when there is one, and
// serials in canonical hex (or empty when the serial is not valid).
//
// Input: a DER OCSPRequest.
#include <string>

#include "services/ca/ocsp.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rotor;
  Result<ca::OcspRequestInfo> parsed = ca::ParseOcspRequest(fuzz::Bytes(data, size));
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == StatusCode::kInvalidArgument);
    FUZZ_CHECK(!parsed.status().message().empty());
    return 0;
  }
  FUZZ_CHECK(!parsed->cert_ids.empty());
  FUZZ_CHECK(parsed->cert_ids.size() <= ca::kMaxOcspCertIds);
  if (parsed->nonce.has_value()) {
    FUZZ_CHECK(!parsed->nonce->empty() && parsed->nonce->size() <= ca::kMaxOcspNonceBytes);
  }
  for (const ca::OcspCertId& id : parsed->cert_ids) {
    FUZZ_CHECK(id.serial_hex.find_first_not_of("0123456789abcdef") == std::string::npos);
    FUZZ_CHECK(!id.hash_algorithm.empty());
  }
  return 0;
}
