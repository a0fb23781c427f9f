// Public PKI routes, served without credentials as PKIs publish them
// (docs/api.md, "Public PKI endpoints"): the CEM issuing CA's CRL and
// certificate, with HTTP cache validators, and its OCSP responder (RFC 6960
// GET and POST). Gateways, IIS and `openssl` fetch these from the URLs that
// issued certificates carry (CRL distribution point, AIA).
#include "base/base64.h"
#include "base/hash.h"
#include "services/app/engine_core.h"
#include "services/app/http_cache.h"

namespace rotor::app {
namespace {

constexpr auto kCaCertificateMaxAge = std::chrono::hours(24);

ApiResponse NoCa(std::string_view what) {
  return ErrorResponse(Status::FailedPrecondition(
      "no CEM issuing CA is configured (rotord --ca-cert/--ca-key), so there is no " +
      std::string(what)));
}

// `body` with `content_type` and cache headers, or 304 when the request's
// validators match.
ApiResponse Cached(const ApiRequest& request, const CacheValidators& v, Time now,
                   std::string content_type, const std::string& body) {
  ApiResponse response;
  response.content_type = std::move(content_type);
  if (IsNotModified(request, v)) {
    response.status = 304;
  } else {
    response.body = body;
  }
  AddCacheHeaders(v, now, response);
  return response;
}

ApiResponse PublicCrl(EngineCore& core, const RouteContext& ctx) {
  if (core.crl == nullptr) return NoCa("CRL");
  Time now = core.Now();
  Result<SignedCrl> crl = core.crl->Get(now);
  if (!crl.ok()) return ErrorResponse(crl.status());
  CacheValidators v{crl->etag, crl->this_update, crl->next_update};
  return Cached(ctx.request, v, now, "application/pkix-crl", crl->crl.der);
}

ApiResponse CaCertificate(EngineCore& core, const RouteContext& ctx) {
  if (core.ca == nullptr) return NoCa("CA certificate");
  Time now = core.Now();
  CacheValidators v{"\"" + core.ca->fingerprint() + "\"", core.ca->not_before(),
                    std::min(core.ca->not_after(), now + kCaCertificateMaxAge)};
  return Cached(ctx.request, v, now, "application/pkix-cert", core.ca->certificate_der());
}

// The signed answer to `der`: for a request without a nonce, the one signed
// earlier at the same ledger version when it is fresh enough
// (OcspResponseCache); else one signed now. Errors: kInternal from OpenSSL.
Result<CachedOcspResponse> AnswerOcsp(EngineCore& core, std::string_view der, bool cacheable,
                                      Time now) {
  std::optional<uint64_t> version;
  if (cacheable) {
    // Read before the lookups below, so a cached answer is never older than its key.
    if (Result<uint64_t> v = core.crl->Version(); v.ok()) version = *v;
  }
  if (version.has_value()) {
    if (std::optional<CachedOcspResponse> hit = core.ocsp->Find(der, *version, now)) return *hit;
  }
  CrlCache* cache = core.crl.get();
  Result<std::string> answer = core.ca->AnswerOcsp(
      der, [cache](const std::string& serial) { return cache->Lookup(serial); }, now,
      core.options.ocsp_validity);
  if (!answer.ok()) return answer.status();
  // Only signed answers are kept: an internalError must not outlive its cause.
  if (version.has_value() && ca::IsSuccessfulOcspResponse(*answer)) {
    core.ocsp->Put(der, *version, now, *answer);
  }
  return CachedOcspResponse{now, std::move(*answer)};
}

// Answers the DER request; GET answers without a nonce may be cached until
// their nextUpdate (RFC 5019 6.2).
ApiResponse Ocsp(EngineCore& core, std::string_view der, bool get) {
  if (core.ca == nullptr) return NoCa("OCSP responder");
  Time now = core.Now();
  Result<ca::OcspRequestInfo> parsed = ca::ParseOcspRequest(der);
  bool without_nonce = parsed.ok() && !parsed->nonce.has_value();
  Result<CachedOcspResponse> answer = AnswerOcsp(core, der, without_nonce, now);
  if (!answer.ok()) return ErrorResponse(answer.status());
  ApiResponse response;
  response.content_type = "application/ocsp-response";
  response.body = std::move(answer->response);
  if (get && without_nonce) {
    CacheValidators v{"\"" + ToHex(Sha256(response.body)) + "\"", answer->produced,
                      answer->produced + core.options.ocsp_validity};
    AddCacheHeaders(v, now, response);
  } else {
    response.headers.emplace_back("Cache-Control", "no-store");
  }
  return response;
}

ApiResponse OcspGet(EngineCore& core, const RouteContext& ctx) {
  Result<std::string> der = Base64Decode(ctx.params[0], "the OCSP request in the path");
  // Bytes that are not base64 get malformedRequest like any other bad request.
  std::string_view bytes;
  if (der.ok()) bytes = *der;
  return Ocsp(core, bytes, true);
}

ApiResponse OcspPost(EngineCore& core, const RouteContext& ctx) {
  return Ocsp(core, ctx.request.body, false);
}

}  // namespace

void AddPkiRoutes(EngineCore& core) {
  EngineCore* c = &core;
  Router& r = core.router;
  r.Add("GET", "/pki/cem.crl", kAdminOnly, RouteKind::kPublic,
        [c](const RouteContext& ctx) { return PublicCrl(*c, ctx); });
  r.Add("GET", "/pki/cem-ca.crt", kAdminOnly, RouteKind::kPublic,
        [c](const RouteContext& ctx) { return CaCertificate(*c, ctx); });
  r.Add("POST", "/ocsp", kAdminOnly, RouteKind::kPublic,
        [c](const RouteContext& ctx) { return OcspPost(*c, ctx); });
  r.Add("GET", "/ocsp/{request...}", kAdminOnly, RouteKind::kPublic,
        [c](const RouteContext& ctx) { return OcspGet(*c, ctx); });
}

}  // namespace rotor::app
