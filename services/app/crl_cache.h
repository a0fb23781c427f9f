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
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "events/event_log.h"
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
  Result<ca::Crl> Get(Time now);

  // The revoked entries the last Get put in the CRL (for tests and logs).
  size_t entries() const;

 private:
  struct Revocation {
    std::string fingerprint;
    ca::RevokedEntry entry;
  };
  Status FoldLocked(uint64_t head);
  std::vector<ca::RevokedEntry> EntriesLocked() const;

  const EventLog& log_;
  const ca::CertificateAuthority& ca_;
  const std::string ca_subject_;
  const CrlOptions options_;

  mutable std::mutex mu_;
  uint64_t folded_ = 0;                   // guarded by mu_
  std::set<std::string> issued_;          // guarded by mu_: fingerprints this CA signed
  std::set<std::string> issued_serials_;  // guarded by mu_
  std::vector<Revocation> revocations_;   // guarded by mu_
  std::optional<ca::Crl> cached_;         // guarded by mu_
  uint64_t cached_head_ = 0;              // guarded by mu_
  Time cached_at_{};                      // guarded by mu_
  uint64_t crl_number_ = 0;               // guarded by mu_
  size_t entries_ = 0;                    // guarded by mu_
};

}  // namespace rotor::app
