// OCSP (RFC 6960) for the CEM issuing CA: parsing requests and the types of
// an answer. CertificateAuthority::AnswerOcsp (ocsp.cc) signs responses.
//
// Policy (docs/operations.md, "OCSP"):
// - Responses are signed by the CA key itself (no delegated responder
//   certificate), name the responder by key hash, include the CA
//   certificate, and carry thisUpdate = now and nextUpdate = now + validity.
// - A CertID whose issuer hashes are not this CA's, or whose hash algorithm
//   OpenSSL does not know, is answered `unknown`, as is a serial the CA never
//   issued.
// - A nonce (RFC 8954: 1..32 octets) is echoed; a nonce of 0 or more than 32
//   octets, two nonces, an empty request list, more than kMaxOcspCertIds
//   CertIDs, trailing bytes or anything that is not DER OCSPRequest get the
//   unsigned malformedRequest response. Request signatures are not checked:
//   revocation status is public.
//
// Thread-safe: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace rotor::ca {

// A request costs one lookup and one entry of the signed response per CertID;
// RFC 5019 clients send one, so a few are plenty.
inline constexpr size_t kMaxOcspCertIds = 8;
inline constexpr size_t kMaxOcspRequestBytes = 64 * 1024;
inline constexpr size_t kMaxOcspNonceBytes = 32;

// One CertID of a request, as plain values.
struct OcspCertId {
  std::string hash_algorithm;    // OpenSSL's short name ("SHA1"), or the OID text
  std::string issuer_name_hash;  // raw bytes
  std::string issuer_key_hash;   // raw bytes
  std::string serial_hex;        // canonical (serial.h); empty when not a valid serial
};

struct OcspRequestInfo {
  std::vector<OcspCertId> cert_ids;
  std::optional<std::string> nonce;  // the nonce's octets, when the request has one
};

// Parses a DER OCSPRequest and checks it as the policy above says. Pure and
// safe on any bytes (a fuzz target calls it). Errors: kInvalidArgument
// naming what is wrong (the responder then answers malformedRequest).
Result<OcspRequestInfo> ParseOcspRequest(std::string_view der);

// True when `der` is an OCSPResponse with status successful (not
// malformedRequest, internalError, ...). Pure and safe on any bytes.
bool IsSuccessfulOcspResponse(std::string_view der);

enum class CertStatus { kGood, kRevoked, kUnknown };

// What the CA knows of one serial.
struct SerialStatus {
  CertStatus status = CertStatus::kUnknown;
  Time revoked_at{};    // for kRevoked
  int reason_code = 0;  // for kRevoked: RFC 5280 CRLReason; 0 is sent as no reason
};

}  // namespace rotor::ca
