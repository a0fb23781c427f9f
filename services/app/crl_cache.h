// CrlCache: the CRL of the CEM issuing CA, rebuilt from the revocation events
// of the log, and the revocation status of single serials for OCSP.
//
// It folds the log, incrementally, into a RevocationLedger (the rules of what
// is ours and what is revoked live there). A CRL is signed again only when
// the set of revoked certificates grew, or when the cached one is older than
// `refresh`; otherwise every caller gets the same bytes (so its ETag holds
// and HTTP caches can answer 304). Each CRL signed carries a larger
// cRLNumber. No event already in the log can make a CRL build fail: the
// ledger normalizes reason codes and skips serials that are not valid.
//
// Ownership: `log` and `ca` must outlive the cache. Thread safety: every
// public member is safe to call concurrently (one mutex).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "events/event_log.h"
#include "services/app/revocation_ledger.h"
#include "services/ca/certificate_authority.h"

namespace rotor::app {

struct CrlOptions {
  Micros validity = std::chrono::days(7);  // next_update = this_update + validity
  Micros refresh = std::chrono::hours(1);  // re-sign at least this often
};

// A signed CRL and what HTTP needs to serve it.
struct SignedCrl {
  ca::Crl crl;
  Time this_update{};  // whole seconds, as in the CRL
  Time next_update{};
  uint64_t crl_number = 0;
  std::string etag;  // "\"<SHA-256 of the DER, hex>\"": a strong HTTP entity tag
  size_t entries = 0;
};

class CrlCache {
 public:
  // `ca_subject` is the CA certificate's subject as services/pki renders it.
  CrlCache(const EventLog& log, const ca::CertificateAuthority& ca, std::string ca_subject,
           CrlOptions options = {});

  // The CRL as of the log's head: the cached one, or one signed at `now`.
  // Errors: log errors (kCorruption, kIoError); kInternal when OpenSSL fails.
  Result<SignedCrl> Get(Time now) EXCLUDES(mu_);

  // The status of `serial_hex` as of the log's head (see RevocationLedger).
  // Errors: log errors (kCorruption, kIoError).
  Result<ca::SerialStatus> Lookup(const std::string& serial_hex) EXCLUDES(mu_);

  // The status of the certificate with `serial_hex` issued by `issuer` (a
  // subject as services/pki renders it): kUnknown, without reading the log,
  // when `issuer` is not this CA, since serials are unique per issuer only.
  // Errors: as Lookup.
  Result<ca::SerialStatus> LookupIssued(std::string_view issuer, const std::string& serial_hex)
      EXCLUDES(mu_);

  // The ledger's version (RevocationLedger::version) as of the log's head:
  // read it before a Lookup, and the answer is at least that current.
  // Errors: as Lookup.
  Result<uint64_t> Version() EXCLUDES(mu_);

  // The revoked entries the last signed CRL holds (for tests and logs).
  size_t entries() const EXCLUDES(mu_);

  const CrlOptions& options() const { return options_; }

 private:
  Status FoldLocked() REQUIRES(mu_);

  const EventLog& log_;
  const ca::CertificateAuthority& ca_;
  const CrlOptions options_;
  const std::string ca_subject_;

  mutable Mutex mu_;
  uint64_t folded_ GUARDED_BY(mu_) = 0;
  RevocationLedger ledger_ GUARDED_BY(mu_);
  std::optional<SignedCrl> cached_ GUARDED_BY(mu_);
  size_t cached_revoked_ GUARDED_BY(mu_) = 0;  // ledger_.revoked_count() when signed
  Time cached_at_ GUARDED_BY(mu_){};
  uint64_t crl_number_ GUARDED_BY(mu_) = 0;
};

}  // namespace rotor::app
