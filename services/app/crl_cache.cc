#include "services/app/crl_cache.h"

#include <algorithm>

#include "events/codec.h"

namespace rotor::app {

CrlCache::CrlCache(const EventLog& log, const ca::CertificateAuthority& ca, std::string ca_subject,
                   CrlOptions options)
    : log_(log), ca_(ca), ca_subject_(std::move(ca_subject)), options_(options) {}

Status CrlCache::FoldLocked(uint64_t head) {
  if (folded_ >= head) return Status::Ok();
  Status failure;
  Status scanned = log_.ForEach(folded_ + 1, [&](const RecordedEvent& record) REQUIRES(mu_) {
    if (record.sequence > head) return false;
    folded_ = record.sequence;
    bool wanted = record.event_type == "rotor.v1.AgentCertificateRenewed" ||
                  record.event_type == "rotor.v1.CertificateRegistered" ||
                  record.event_type == "rotor.v1.CertificateRevoked";
    if (!wanted) return true;
    Result<Event> event = DecodeEvent(record);
    if (!event.ok()) {
      failure = event.status();
      return false;
    }
    if (const auto* renewed = std::get_if<AgentCertificateRenewed>(&*event)) {
      if (renewed->issued_by_rotor) {
        issued_.insert(renewed->new_fingerprint);
        issued_serials_.insert(renewed->serial_hex);
      }
    } else if (const auto* registered = std::get_if<CertificateRegistered>(&*event)) {
      if (registered->issuer == ca_subject_) {
        issued_.insert(registered->fingerprint);
        issued_serials_.insert(registered->serial_hex);
      }
    } else if (const auto* revoked = std::get_if<CertificateRevoked>(&*event)) {
      if (!revoked->serial_hex.empty()) {
        revocations_.push_back(
            {revoked->fingerprint, ca::RevokedEntry{revoked->serial_hex, revoked->revoked_at,
                                                    static_cast<int>(revoked->reason_code)}});
      }
    }
    return true;
  });
  ROTOR_RETURN_IF_ERROR(scanned);
  return failure;
}

std::vector<ca::RevokedEntry> CrlCache::EntriesLocked() const {
  std::map<std::string, ca::RevokedEntry> by_serial;  // the first revocation of a serial wins
  for (const Revocation& r : revocations_) {
    bool ours = r.fingerprint.empty() ? issued_serials_.count(r.entry.serial_hex) > 0
                                      : issued_.count(r.fingerprint) > 0;
    if (ours) by_serial.emplace(r.entry.serial_hex, r.entry);
  }
  std::vector<ca::RevokedEntry> out;
  out.reserve(by_serial.size());
  for (auto& [serial, entry] : by_serial) out.push_back(entry);
  return out;
}

Result<ca::Crl> CrlCache::Get(Time now) {
  MutexLock lock(&mu_);
  uint64_t head = log_.Head();
  if (cached_.has_value() && cached_head_ == head && now >= cached_at_ &&
      now - cached_at_ < options_.refresh) {
    return *cached_;
  }
  ROTOR_RETURN_IF_ERROR(FoldLocked(head));
  std::vector<ca::RevokedEntry> entries = EntriesLocked();
  // cRLNumber grows with every CRL signed: the Unix time in seconds, or one
  // more than the last when several are signed within a second.
  auto seconds = static_cast<uint64_t>(std::max<int64_t>(
      0, std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()));
  uint64_t number = std::max(crl_number_ + 1, seconds);
  Result<ca::Crl> crl = ca_.BuildCrl(entries, now, now + options_.validity, number);
  if (!crl.ok()) return crl.status();
  crl_number_ = number;
  cached_ = *crl;
  cached_head_ = head;
  cached_at_ = now;
  entries_ = entries.size();
  return *crl;
}

size_t CrlCache::entries() const {
  MutexLock lock(&mu_);
  return entries_;
}

}  // namespace rotor::app
