#include "services/app/crl_cache.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "base/hash.h"
#include "events/codec.h"
#include "services/ca/ossl.h"

namespace rotor::app {

CrlCache::CrlCache(const EventLog& log, const ca::CertificateAuthority& ca, std::string ca_subject,
                   CrlOptions options)
    : log_(log),
      ca_(ca),
      options_(options),
      ca_subject_(ca_subject),
      ledger_(std::move(ca_subject)) {}

Status CrlCache::FoldLocked() {
  uint64_t head = log_.Head();
  if (folded_ >= head) return Status::Ok();
  Status failure;
  size_t skipped = ledger_.skipped();
  Status scanned = log_.ForEach(folded_ + 1, [&](const RecordedEvent& record) REQUIRES(mu_) {
    if (record.sequence > head) return false;
    bool wanted = record.event_type == "rotor.v1.AgentCertificateRenewed" ||
                  record.event_type == "rotor.v1.CertificateRegistered" ||
                  record.event_type == "rotor.v1.CertificateRevoked";
    if (wanted) {
      Result<Event> event = DecodeEvent(record);
      if (!event.ok()) {
        failure = event.status().WithContext("event " + std::to_string(record.sequence));
        return false;
      }
      ledger_.Apply(*event);
    }
    folded_ = record.sequence;
    return true;
  });
  if (ledger_.skipped() > skipped) {
    spdlog::warn("CRL: {} certificate events with a serial that is not valid hex were skipped",
                 ledger_.skipped() - skipped);
  }
  ROTOR_RETURN_IF_ERROR(scanned);
  return failure;
}

Result<SignedCrl> CrlCache::Get(Time now) {
  MutexLock lock(&mu_);
  ROTOR_RETURN_IF_ERROR(FoldLocked());
  if (cached_.has_value() && cached_revoked_ == ledger_.revoked_count() && now >= cached_at_ &&
      now - cached_at_ < options_.refresh) {
    return *cached_;
  }
  std::vector<ca::RevokedEntry> entries = ledger_.Entries();
  // cRLNumber grows with every CRL signed: the Unix time in seconds, or one
  // more than the last when several are signed within a second.
  auto seconds = static_cast<uint64_t>(std::max<int64_t>(
      0, std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()));
  uint64_t number = std::max(crl_number_ + 1, seconds);
  SignedCrl out;
  out.this_update = ca::TruncateToSeconds(now);
  out.next_update = ca::TruncateToSeconds(now + options_.validity);
  Result<ca::Crl> crl = ca_.BuildCrl(entries, out.this_update, out.next_update, number);
  if (!crl.ok()) return crl.status();
  out.crl = std::move(*crl);
  out.crl_number = number;
  out.etag = "\"" + ToHex(Sha256(out.crl.der)) + "\"";
  out.entries = entries.size();
  crl_number_ = number;
  cached_ = out;
  cached_revoked_ = ledger_.revoked_count();
  cached_at_ = now;
  return out;
}

Result<ca::SerialStatus> CrlCache::Lookup(const std::string& serial_hex) {
  MutexLock lock(&mu_);
  ROTOR_RETURN_IF_ERROR(FoldLocked());
  return ledger_.Lookup(serial_hex);
}

Result<uint64_t> CrlCache::Version() {
  MutexLock lock(&mu_);
  ROTOR_RETURN_IF_ERROR(FoldLocked());
  return ledger_.version();
}

Result<ca::SerialStatus> CrlCache::LookupIssued(std::string_view issuer,
                                                const std::string& serial_hex) {
  if (issuer != ca_subject_) return ca::SerialStatus{};
  return Lookup(serial_hex);
}

size_t CrlCache::entries() const {
  MutexLock lock(&mu_);
  return cached_.has_value() ? cached_->entries : 0;
}

}  // namespace rotor::app
