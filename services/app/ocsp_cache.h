// OcspResponseCache: signed OCSP responses kept for requests that carry no
// nonce, so that a gateway asking again and again about the same
// certificate costs a map lookup, not a signature (docs/operations.md,
// "OCSP").
//
// A response is stored under the request's DER (which names the serials and
// the issuer hashes it asks about) and the RevocationLedger version it was
// answered at (CrlCache::Version). It is served while the ledger is at that
// version and the response is younger than `max_age`; the first request
// that sees a newer ledger version empties the cache, so no answer outlives
// a revocation or an issuance. At most `max_entries` responses are kept; one
// more evicts the oldest, and requests over kMaxCachedOcspRequestBytes (a
// one-CertID request is about 80 bytes) are not kept, so the cache stays
// within a few MiB. Requests with a nonce are never cached: the nonce is
// inside the signed data (the caller decides; see routes_pki.cc).
//
// Thread safety: every member is safe to call concurrently (one mutex).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "base/time.h"

namespace rotor::app {

// A signed OCSP response and when it was signed (its thisUpdate).
struct CachedOcspResponse {
  Time produced{};
  std::string response;
};

inline constexpr size_t kMaxCachedOcspRequestBytes = 512;

class OcspResponseCache {
 public:
  OcspResponseCache(Micros max_age, size_t max_entries);

  // The response stored for `request_der` at ledger `version`, when it is
  // younger than max_age at `now`; nullopt otherwise.
  std::optional<CachedOcspResponse> Find(std::string_view request_der, uint64_t version, Time now)
      EXCLUDES(mu_);

  // Stores `response`, produced at `produced` for `request_der` at ledger
  // `version`. Ignored when an entry of a newer version was stored since, or
  // when `request_der` is over kMaxCachedOcspRequestBytes.
  void Put(std::string_view request_der, uint64_t version, Time produced, std::string response)
      EXCLUDES(mu_);

  // How many responses are stored.
  size_t size() const EXCLUDES(mu_);

 private:
  // Empties the cache when `version` is newer than what it holds.
  void AdvanceLocked(uint64_t version) REQUIRES(mu_);

  const Micros max_age_;
  const size_t max_entries_;
  mutable Mutex mu_;
  uint64_t version_ GUARDED_BY(mu_) = 0;
  std::map<std::string, CachedOcspResponse, std::less<>> entries_ GUARDED_BY(mu_);
  std::deque<std::string> order_ GUARDED_BY(mu_);  // keys, oldest first
};

}  // namespace rotor::app
