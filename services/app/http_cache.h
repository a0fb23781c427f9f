// HTTP caching for the public PKI files (the CRL, the CA certificate, OCSP
// answers to GET): Last-Modified, a strong ETag, Cache-Control and Expires
// until the document's next update, and conditional requests answered with
// 304 Not Modified (RFC 9110 13.1-13.2, RFC 9111 5.2). Thread-safe (pure).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/time.h"
#include "services/app/api.h"

namespace rotor::app {

// "Sun, 06 Nov 1994 08:49:37 GMT" (IMF-fixdate), whole seconds.
std::string FormatHttpDate(Time t);
// Parses an IMF-fixdate; nullopt for anything else (RFC 9110 says to ignore
// an invalid If-Modified-Since).
std::optional<Time> ParseHttpDate(std::string_view text);

struct CacheValidators {
  std::string etag;  // with its quotes: "\"abc\""
  Time last_modified{};
  Time expires{};  // when caches must fetch again (the document's nextUpdate)
};

// Adds ETag, Last-Modified, Expires and Cache-Control (public, no-transform,
// max-age = seconds from `now` to `v.expires`, at least 0) to `response`.
void AddCacheHeaders(const CacheValidators& v, Time now, ApiResponse& response);

// True when the request's If-None-Match matches `v.etag` (or is "*"), or,
// without If-None-Match, when If-Modified-Since is not before
// `v.last_modified`: the answer is then 304 with the same cache headers.
bool IsNotModified(const ApiRequest& request, const CacheValidators& v);

}  // namespace rotor::app
