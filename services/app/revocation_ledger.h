// RevocationLedger: which certificates the CEM issuing CA signed and which of
// them are revoked, folded from the event log. It is the one place that
// answers "is this serial revoked, and why": the CRL (CrlCache) and the OCSP
// responder both read it, so they always agree.
//
// The rules, applied in log order:
// - A certificate is ours when AgentCertificateRenewed says issued_by_rotor,
//   or when CertificateRegistered names the CA's subject as its issuer.
// - CertificateRevoked for agent A revokes the certificate it names (by
//   fingerprint, or by serial when the event has no fingerprint) and every
//   other certificate of ours issued to A before it that is still valid at
//   the revocation time (not_after later than revoked_at), including the ones
//   a renewal superseded. Expired ones are left out, as RFC 5280 3.3 allows.
// - The first revocation of a serial wins; a later one changes nothing.
// - Reason codes RFC 5280 allows in a full CRL (0..6, 9, 10) are kept. Any
//   other code an event may hold (8 removeFromCRL and 7 were accepted by
//   earlier versions of the API) is recorded as 0, unspecified: the
//   certificate stays revoked, never silently reinstated.
// - A serial that is not canonical hex (services/ca/serial.h) cannot be put
//   in a CRL or matched by OCSP; it is skipped and counted in skipped().
//
// Value type, no I/O. Thread-compatible: the owner serialises access.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "events/event_types.h"
#include "services/ca/certificate_authority.h"
#include "services/ca/ocsp.h"

namespace rotor::app {

class RevocationLedger {
 public:
  // `ca_subject` is the CA certificate's subject as services/pki renders it.
  explicit RevocationLedger(std::string ca_subject);

  // Folds one event; other event types are ignored.
  void Apply(const Event& event);

  // Every revoked certificate of ours, sorted by serial: the CRL's entries.
  std::vector<ca::RevokedEntry> Entries() const;

  // The status of `serial_hex` (any case, leading zeros allowed): kUnknown
  // for a serial the CA never issued (as far as the log says) or one that is
  // not valid hex.
  ca::SerialStatus Lookup(const std::string& serial_hex) const;

  // How many revoked entries there are; bumps whenever one is added.
  size_t revoked_count() const { return revoked_.size(); }
  // Grows whenever a Lookup answer may have changed (a certificate of ours
  // or a revocation was added); equal versions give equal answers.
  uint64_t version() const { return by_serial_.size() + revoked_.size(); }
  // Events whose serial could not be used (see the header comment).
  size_t skipped() const { return skipped_; }

  // The reason code a CRL entry or OCSP answer carries for `reason_code`
  // found in an event: itself when RFC 5280 allows it in a full CRL, else 0.
  static int NormalizedReason(uint32_t reason_code);

 private:
  struct Issued {
    std::string serial;  // canonical
    Time not_after{};
  };
  void AddIssued(const std::string& fingerprint, const std::string& serial_hex,
                 const std::string& agent_id, Time not_after);
  void Revoke(const CertificateRevoked& e);
  void RevokeSerial(const std::string& serial, const CertificateRevoked& e);

  std::string ca_subject_;
  std::map<std::string, Issued> by_fingerprint_;              // ours, by fingerprint
  std::map<std::string, Issued> by_serial_;                   // ours, by canonical serial
  std::map<std::string, std::vector<std::string>> by_agent_;  // agent -> serials of ours
  std::map<std::string, ca::RevokedEntry> revoked_;           // by canonical serial
  size_t skipped_ = 0;
};

}  // namespace rotor::app
