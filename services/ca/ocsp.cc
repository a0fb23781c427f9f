// OCSP request parsing and CertificateAuthority::AnswerOcsp (see ocsp.h).
#include "services/ca/ocsp.h"

#include <openssl/err.h>
#include <openssl/ocsp.h>

#include "services/ca/certificate_authority.h"
#include "services/ca/serial.h"

namespace rotor::ca {
namespace {

std::string OctetsOf(const ASN1_STRING* s) {
  if (s == nullptr) return "";
  return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
          static_cast<size_t>(ASN1_STRING_length(s))};
}

std::string AlgorithmName(const ASN1_OBJECT* oid) {
  int nid = OBJ_obj2nid(oid);
  if (nid != NID_undef) return OBJ_nid2sn(nid);
  char text[128];
  int len = OBJ_obj2txt(text, sizeof(text), oid, 1);
  return len > 0 ? std::string(text, std::min<size_t>(static_cast<size_t>(len), sizeof(text) - 1))
                 : "unknown";
}

// The nonce's octets. RFC 8954 encodes it as an OCTET STRING inside the
// extension value; older clients put the raw octets there, taken as they are.
Result<std::optional<std::string>> NonceOf(OCSP_REQUEST* req) {
  int index = OCSP_REQUEST_get_ext_by_NID(req, NID_id_pkix_OCSP_Nonce, -1);
  if (index < 0) return std::optional<std::string>();
  if (OCSP_REQUEST_get_ext_by_NID(req, NID_id_pkix_OCSP_Nonce, index) >= 0) {
    return Status::InvalidArgument("the request has more than one nonce extension");
  }
  std::string value = OctetsOf(X509_EXTENSION_get_data(OCSP_REQUEST_get_ext(req, index)));
  const auto* p = reinterpret_cast<const unsigned char*>(value.data());
  Asn1OctetStringPtr inner(d2i_ASN1_OCTET_STRING(nullptr, &p, static_cast<int64_t>(value.size())));
  if (inner != nullptr &&
      p == reinterpret_cast<const unsigned char*>(value.data()) + value.size()) {
    value = OctetsOf(inner.get());
  }
  ERR_clear_error();
  if (value.empty() || value.size() > kMaxOcspNonceBytes) {
    return Status::InvalidArgument("the nonce is " + std::to_string(value.size()) +
                                   " octets; RFC 8954 allows 1 to 32");
  }
  return std::optional<std::string>(std::move(value));
}

struct ParsedRequest {
  OcspRequestPtr req;
  OcspRequestInfo info;
};

Result<ParsedRequest> Parse(std::string_view der) {
  if (der.empty()) return Status::InvalidArgument("the OCSP request is empty");
  if (der.size() > kMaxOcspRequestBytes) {
    return Status::InvalidArgument("the OCSP request is " + std::to_string(der.size()) +
                                   " bytes, over the limit of " +
                                   std::to_string(kMaxOcspRequestBytes));
  }
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ParsedRequest out;
  out.req.reset(d2i_OCSP_REQUEST(nullptr, &p, static_cast<int64_t>(der.size())));
  ERR_clear_error();
  if (out.req == nullptr) return Status::InvalidArgument("the body is not a DER OCSPRequest");
  if (p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    return Status::InvalidArgument("the OCSP request has trailing bytes after its DER encoding");
  }
  int count = OCSP_request_onereq_count(out.req.get());
  if (count <= 0) return Status::InvalidArgument("the OCSP request asks about no certificate");
  if (static_cast<size_t>(count) > kMaxOcspCertIds) {
    return Status::InvalidArgument("the OCSP request asks about " + std::to_string(count) +
                                   " certificates; at most " + std::to_string(kMaxOcspCertIds));
  }
  for (int i = 0; i < count; ++i) {
    OCSP_CERTID* id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(out.req.get(), i));
    ASN1_OCTET_STRING* name_hash = nullptr;
    ASN1_OBJECT* algorithm = nullptr;
    ASN1_OCTET_STRING* key_hash = nullptr;
    ASN1_INTEGER* serial = nullptr;
    if (id == nullptr || OCSP_id_get0_info(&name_hash, &algorithm, &key_hash, &serial, id) != 1) {
      return Status::InvalidArgument("CertID " + std::to_string(i) + " cannot be read");
    }
    OcspCertId cert_id{AlgorithmName(algorithm), OctetsOf(name_hash), OctetsOf(key_hash), ""};
    if (Result<std::string> hex = SerialHexOf(serial); hex.ok()) cert_id.serial_hex = *hex;
    out.info.cert_ids.push_back(std::move(cert_id));
  }
  Result<std::optional<std::string>> nonce = NonceOf(out.req.get());
  if (!nonce.ok()) return nonce.status();
  out.info.nonce = std::move(*nonce);
  return out;
}

// An unsigned response with an error status (RFC 6960 4.2.1).
Result<std::string> ErrorResponse(int status) {
  OcspResponsePtr resp(OCSP_response_create(status, nullptr));
  if (resp == nullptr) return OpenSslError(StatusCode::kInternal, "OCSP_response_create");
  return ToDer("encoding the OCSP error response", resp.get(), i2d_OCSP_RESPONSE);
}

}  // namespace

Result<OcspRequestInfo> ParseOcspRequest(std::string_view der) {
  Result<ParsedRequest> parsed = Parse(der);
  if (!parsed.ok()) return parsed.status();
  return std::move(parsed->info);
}

bool IsSuccessfulOcspResponse(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  OcspResponsePtr resp(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<int64_t>(der.size())));
  ERR_clear_error();
  return resp != nullptr && OCSP_response_status(resp.get()) == OCSP_RESPONSE_STATUS_SUCCESSFUL;
}

bool CertificateAuthority::IsOurCertId(OCSP_CERTID* id) const {
  ASN1_OBJECT* algorithm = nullptr;
  if (OCSP_id_get0_info(nullptr, &algorithm, nullptr, nullptr, id) != 1) return false;
  const EVP_MD* md = EVP_get_digestbyobj(algorithm);
  if (md == nullptr) return false;
  OcspCertIdPtr ours(OCSP_cert_id_new(md, X509_get_subject_name(cert_.get()),
                                      X509_get0_pubkey_bitstr(cert_.get()), nullptr));
  bool same = ours != nullptr && OCSP_id_issuer_cmp(ours.get(), id) == 0;
  ERR_clear_error();
  return same;
}

Result<std::string> CertificateAuthority::AnswerOcsp(std::string_view request_der,
                                                     const OcspLookup& lookup, Time now,
                                                     Micros validity) const {
  ERR_clear_error();
  Result<ParsedRequest> parsed = Parse(request_der);
  if (!parsed.ok()) return ErrorResponse(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  auto this_update = ToAsn1Time(now);
  auto next_update = ToAsn1Time(now + validity);
  OcspBasicRespPtr basic(OCSP_BASICRESP_new());
  if (!this_update.ok() || !next_update.ok() || basic == nullptr) {
    return ErrorResponse(OCSP_RESPONSE_STATUS_INTERNALERROR);
  }
  OCSP_REQUEST* req = parsed->req.get();
  for (int i = 0; i < OCSP_request_onereq_count(req); ++i) {
    OCSP_CERTID* id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(req, i));
    const std::string& serial = parsed->info.cert_ids[static_cast<size_t>(i)].serial_hex;
    SerialStatus status;
    if (!serial.empty() && IsOurCertId(id)) {
      Result<SerialStatus> found = lookup(serial);
      if (!found.ok()) return ErrorResponse(OCSP_RESPONSE_STATUS_INTERNALERROR);
      status = *found;
    }
    int code = V_OCSP_CERTSTATUS_UNKNOWN;
    int reason = OCSP_REVOKED_STATUS_NOSTATUS;
    Asn1TimePtr revoked_at;
    if (status.status == CertStatus::kGood) code = V_OCSP_CERTSTATUS_GOOD;
    if (status.status == CertStatus::kRevoked) {
      code = V_OCSP_CERTSTATUS_REVOKED;
      if (status.reason_code != 0) reason = status.reason_code;
      auto when = ToAsn1Time(status.revoked_at);
      if (!when.ok()) return ErrorResponse(OCSP_RESPONSE_STATUS_INTERNALERROR);
      revoked_at = std::move(*when);
    }
    if (OCSP_basic_add1_status(basic.get(), id, code, reason, revoked_at.get(), this_update->get(),
                               next_update->get()) == nullptr) {
      return ErrorResponse(OCSP_RESPONSE_STATUS_INTERNALERROR);
    }
  }
  // Echoes the request's nonce extension as it came (1 when copied, 2 when
  // the request has none).
  if (OCSP_copy_nonce(basic.get(), req) <= 0 ||
      OCSP_basic_sign(basic.get(), cert_.get(), key_.get(), EVP_sha256(), nullptr,
                      OCSP_RESPID_KEY) != 1) {
    ERR_clear_error();
    return ErrorResponse(OCSP_RESPONSE_STATUS_INTERNALERROR);
  }
  OcspResponsePtr resp(OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic.get()));
  if (resp == nullptr) return OpenSslError(StatusCode::kInternal, "OCSP_response_create");
  return ToDer("encoding the OCSP response", resp.get(), i2d_OCSP_RESPONSE);
}

}  // namespace rotor::ca
