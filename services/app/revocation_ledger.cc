#include "services/app/revocation_ledger.h"

#include "services/ca/serial.h"

namespace rotor::app {

RevocationLedger::RevocationLedger(std::string ca_subject) : ca_subject_(std::move(ca_subject)) {}

int RevocationLedger::NormalizedReason(uint32_t reason_code) {
  constexpr uint32_t kUnassigned = 7;
  constexpr uint32_t kRemoveFromCrl = 8;
  constexpr uint32_t kMaxReason = 10;
  if (reason_code > kMaxReason || reason_code == kUnassigned || reason_code == kRemoveFromCrl) {
    return 0;
  }
  return static_cast<int>(reason_code);
}

void RevocationLedger::Apply(const Event& event) {
  if (const auto* renewed = std::get_if<AgentCertificateRenewed>(&event)) {
    if (renewed->issued_by_rotor) {
      AddIssued(renewed->new_fingerprint, renewed->serial_hex, renewed->agent_id,
                renewed->not_after);
    }
  } else if (const auto* registered = std::get_if<CertificateRegistered>(&event)) {
    if (registered->issuer == ca_subject_) {
      AddIssued(registered->fingerprint, registered->serial_hex, registered->agent_id,
                registered->not_after);
    }
  } else if (const auto* revoked = std::get_if<CertificateRevoked>(&event)) {
    Revoke(*revoked);
  }
}

void RevocationLedger::AddIssued(const std::string& fingerprint, const std::string& serial_hex,
                                 const std::string& agent_id, Time not_after) {
  Result<std::string> serial = ca::CanonicalSerialHex(serial_hex);
  if (!serial.ok()) {
    ++skipped_;
    return;
  }
  Issued issued{*serial, not_after};
  by_fingerprint_[fingerprint] = issued;
  if (by_serial_.emplace(*serial, issued).second && !agent_id.empty()) {
    by_agent_[agent_id].push_back(*serial);
  }
}

void RevocationLedger::RevokeSerial(const std::string& serial, const CertificateRevoked& e) {
  revoked_.emplace(serial, ca::RevokedEntry{serial, e.revoked_at, NormalizedReason(e.reason_code)});
}

void RevocationLedger::Revoke(const CertificateRevoked& e) {
  // The certificate the event names.
  if (!e.fingerprint.empty()) {
    auto it = by_fingerprint_.find(e.fingerprint);
    if (it != by_fingerprint_.end()) RevokeSerial(it->second.serial, e);
  } else if (!e.serial_hex.empty()) {
    Result<std::string> serial = ca::CanonicalSerialHex(e.serial_hex);
    if (!serial.ok()) {
      ++skipped_;
    } else if (by_serial_.count(*serial) > 0) {
      RevokeSerial(*serial, e);
    }
  }
  // Every other still-valid certificate of ours issued to the agent.
  auto agent = by_agent_.find(e.agent_id);
  if (agent == by_agent_.end()) return;
  for (const std::string& serial : agent->second) {
    if (by_serial_.at(serial).not_after > e.revoked_at) RevokeSerial(serial, e);
  }
}

std::vector<ca::RevokedEntry> RevocationLedger::Entries() const {
  std::vector<ca::RevokedEntry> out;
  out.reserve(revoked_.size());
  for (const auto& [serial, entry] : revoked_) out.push_back(entry);
  return out;
}

ca::SerialStatus RevocationLedger::Lookup(const std::string& serial_hex) const {
  ca::SerialStatus out;
  Result<std::string> serial = ca::CanonicalSerialHex(serial_hex);
  if (!serial.ok() || by_serial_.count(*serial) == 0) return out;
  auto revoked = revoked_.find(*serial);
  if (revoked == revoked_.end()) {
    out.status = ca::CertStatus::kGood;
  } else {
    out.status = ca::CertStatus::kRevoked;
    out.revoked_at = revoked->second.revoked_at;
    out.reason_code = revoked->second.reason_code;
  }
  return out;
}

}  // namespace rotor::app
