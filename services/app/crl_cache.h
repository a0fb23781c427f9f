// CrlCache: the CRL of the CEM issuing CA, rebuilt from the revocation events
// of the log and cached per log head.
//
// It folds, incrementally, the events that matter: AgentCertificateRenewed
// with issued_by_rotor (certificates this CA signed), CertificateRegistered
// whose issuer is the CA's subject (certificates it signed before Rotor
// recorded them), and CertificateRevoked. The CRL lists every revoked
// certificate issued by this CA (by serial, with the revocation time and
// reason). A CRL is signed again when the log's head moved, or when the
// cached one is older than `refresh`; each carries a larger cRLNumber.
//
// Ownership: `log` and `ca` must outlive the cache. Thread safety: Get is
// safe to call concurrently (one mutex).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "events/event_log.h"
#include "events/mutex.h"
#include "events/thread_annotations.h"
#include "services/ca/certificate_authority.h"

namespace rotor::app {

struct CrlOptions {
  Micros validity = std::chrono::days(7);  // next_update = this_update + validity
  Micros refresh = std::chrono::hours(1);  // re-sign at least this often
};

class CrlCache {
 public:
  // `ca_subject` is the CA certificate's subject as services/pki renders it.
  CrlCache(const EventLog& log, const ca::CertificateAuthority& ca, std::string ca_subject,
           CrlOptions options = {});

  // The CRL as of the log's head, signed at `now`. Errors: log errors
  // (kCorruption, kIoError); BuildCrl's errors (kInvalidArgument for a bad
  // serial in a revocation event, kInternal).
  Result<ca::Crl> Get(Time now) EXCLUDES(mu_);

  // The revoked entries the last Get put in the CRL (for tests and logs).
  size_t entries() const EXCLUDES(mu_);

 private:
  struct Revocation {
    std::string fingerprint;
    ca::RevokedEntry entry;
  };
  Status FoldLocked(uint64_t head) REQUIRES(mu_);
  std::vector<ca::RevokedEntry> EntriesLocked() const REQUIRES(mu_);

  const EventLog& log_;
  const ca::CertificateAuthority& ca_;
  const std::string ca_subject_;
  const CrlOptions options_;

  mutable Mutex mu_;
  uint64_t folded_ GUARDED_BY(mu_) = 0;
  std::set<std::string> issued_ GUARDED_BY(mu_);  // fingerprints this CA signed
  std::set<std::string> issued_serials_ GUARDED_BY(mu_);
  std::vector<Revocation> revocations_ GUARDED_BY(mu_);
  std::optional<ca::Crl> cached_ GUARDED_BY(mu_);
  uint64_t cached_head_ GUARDED_BY(mu_) = 0;
  Time cached_at_ GUARDED_BY(mu_){};
  uint64_t crl_number_ GUARDED_BY(mu_) = 0;
  size_t entries_ GUARDED_BY(mu_) = 0;
};

}  // namespace rotor::app
