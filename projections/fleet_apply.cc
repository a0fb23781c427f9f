// FleetProjection: folding agent and certificate events into the fleet
// model, moving the rollout counters with each change.
#include <algorithm>

#include "projections/fleet_projection.h"

namespace rotor::projections {

FleetProjection::FleetProjection() { Clear(); }

void FleetProjection::Clear() {
  model_.Clear();
  rollouts_.Clear();
  meta_ = {};
  changes_.Reset();
  last_fp_texts_.clear();
  last_fps_.clear();
  last_set_ = 0;
}

void FleetProjection::Apply(const RecordedEvent& record, const Event& event) {
  if (record.sequence <= meta_.last_sequence) return;  // replayed: already folded
  meta_.last_sequence = record.sequence;
  meta_.latest_micros = std::max(meta_.latest_micros, ToMicros(record.recorded_at));
  std::visit([&](const auto& e) { On(record, e); }, event);
}

void FleetProjection::Prefetch(const Event& event, bool near) const {
  if (const auto* report = std::get_if<AgentInventoryReported>(&event)) {
    model_.PrefetchAgent(report->agent_id, near);
  } else if (const auto* flag = std::get_if<AgentFlaggedStale>(&event)) {
    model_.PrefetchAgent(flag->agent_id, near);
  }
}

uint32_t FleetProjection::InternAgent(std::string_view agent_id) {
  size_t before = model_.agent_count();
  uint32_t a = model_.InternAgent(agent_id);
  if (track_ && a == before) changes_.MarkAgent(a);
  return a;
}

template <typename Mutate>
void FleetProjection::ChangeAgent(uint32_t agent, int64_t at, bool new_inventory, Mutate&& mutate) {
  rollouts_.BeforeAgentChange(model_, agent);
  model_.Change(agent, new_inventory, mutate);
  rollouts_.AfterAgentChange(model_, agent, at, [&](uint32_t r) { MarkRollout(r); });
  if (track_) changes_.MarkAgent(agent);
}

void FleetProjection::On(const RecordedEvent& r, const AgentInventoryReported& e) {
  uint32_t a = InternAgent(e.agent_id);
  int64_t reported_at = ToMicros(e.reported_at);
  const AgentRecord& current = model_.agent(a);
  if ((current.flags & kReported) != 0 && reported_at <= current.last_report &&
      !e.supersedes_future_report) {
    return;  // older than the latest (unless that one was dated in the future: decide.h)
  }
  if (e.certificate_fingerprints != last_fp_texts_) {
    last_fps_.clear();
    for (const std::string& f : e.certificate_fingerprints) {
      if (!f.empty()) last_fps_.push_back(model_.InternFingerprint(f));
    }
    std::sort(last_fps_.begin(), last_fps_.end());
    last_fps_.erase(std::unique(last_fps_.begin(), last_fps_.end()), last_fps_.end());
    last_fp_texts_.resize(e.certificate_fingerprints.size());
    for (size_t i = 0; i < last_fp_texts_.size(); ++i) {
      last_fp_texts_[i].assign(e.certificate_fingerprints[i]);
    }
  }
  // Reports mostly repeat the agent's gateway and site: skip interning then.
  uint32_t gateway = model_.gateways().Get(current.gateway) == e.gateway_id
                         ? current.gateway
                         : model_.InternGateway(e.gateway_id);
  uint32_t site =
      model_.sites().Get(current.site) == e.site ? current.site : model_.InternSite(e.site);
  ChangeAgent(a, ToMicros(r.recorded_at), true, [&](AgentRecord& agent) {
    agent.inventory = last_set_ = model_.AcquireInventory(last_fps_, last_set_);
    agent.last_report = reported_at;
    agent.gateway = gateway;
    agent.site = site;
    agent.flags = static_cast<uint8_t>((agent.flags & ~(kStale | kDeleted | kCloud)) | kReported |
                                       (e.cloud_enabled ? kCloud : 0));
  });
}

void FleetProjection::On(const RecordedEvent& r, const AgentFlaggedStale& e) {
  uint32_t a = InternAgent(e.agent_id);
  const AgentRecord& current = model_.agent(a);
  int64_t last_report = ToMicros(e.last_report_at);
  if ((current.flags & (kDeleted | kStale)) != 0) return;
  if ((current.flags & kReported) != 0 && last_report < current.last_report) return;
  ChangeAgent(a, ToMicros(r.recorded_at), false, [&](AgentRecord& agent) {
    agent.flags |= kStale;
    if ((agent.flags & kReported) == 0) agent.last_report = last_report;
  });
  model_.SetFlaggedAt(a, ToMicros(e.flagged_at));
}

void FleetProjection::On(const RecordedEvent& r, const AgentStaleCleared& e) {
  uint32_t a = model_.FindAgent(e.agent_id);
  if (a == StringInterner::kNotFound || !model_.Has(a, kStale)) return;
  ChangeAgent(a, ToMicros(r.recorded_at), false,
              [](AgentRecord& agent) { agent.flags &= static_cast<uint8_t>(~kStale); });
}

void FleetProjection::On(const RecordedEvent& r, const AgentResourceDeleted& e) {
  uint32_t a = InternAgent(e.agent_id);
  if (model_.Has(a, kDeleted)) return;
  ChangeAgent(a, ToMicros(r.recorded_at), false, [](AgentRecord& agent) {
    agent.flags = static_cast<uint8_t>((agent.flags & ~kStale) | kDeleted);
  });
}

void FleetProjection::On(const RecordedEvent& r, const CertificateRevoked& e) {
  uint32_t f = model_.InternFingerprint(e.fingerprint);
  CertificateRecord& cert = model_.Certificate(f);
  cert.revoked = true;
  MarkCertificate(f);
  const std::string& agent_id = e.agent_id.empty() ? cert.agent_id : e.agent_id;
  if (agent_id.empty()) return;
  uint32_t a = InternAgent(agent_id);
  if (model_.Has(a, kRevoked)) return;
  ChangeAgent(a, ToMicros(r.recorded_at), false,
              [](AgentRecord& agent) { agent.flags |= kRevoked; });
}

void FleetProjection::On(const RecordedEvent&, const CertificateRegistered& e) {
  uint32_t f = model_.InternFingerprint(e.fingerprint);
  CertificateRecord& cert = model_.Certificate(f);
  cert.kind = e.kind;
  cert.subject = e.subject;
  cert.issuer = e.issuer;
  cert.serial_hex = e.serial_hex;
  cert.not_before = ToMicros(e.not_before);
  cert.not_after = ToMicros(e.not_after);
  cert.agent_id = e.agent_id;
  cert.registered = true;
  MarkCertificate(f);
}

// Renewals: the certificate a renewal issued to an agent.
void FleetProjection::On(const RecordedEvent& r, const AgentCertificateRenewed& e) {
  uint32_t fp = model_.InternFingerprint(e.new_fingerprint);
  uint32_t a = InternAgent(e.agent_id);
  CertificateRecord& cert = model_.Certificate(fp);
  if (!cert.registered) {
    cert.kind = CertificateKind::kCemAgent;
    cert.serial_hex = e.serial_hex;
    cert.not_after = ToMicros(e.not_after);
    cert.agent_id = e.agent_id;
    cert.registered = true;
    MarkCertificate(fp);
  }
  uint32_t index = rollouts_.Find(e.rollout_id);
  if (index == FleetRollouts::kNotFound || rollouts_[index].kind != RolloutKind::kRenewal) return;
  ChangeAgent(a, ToMicros(r.recorded_at), false,
              [&](AgentRecord&) { rollouts_.Mutable(index).renewed[a] = fp; });
  if (track_) changes_.MarkRenewed(index, a);
}

Status FleetProjection::VerifyCounters() const {
  ROTOR_RETURN_IF_ERROR(rollouts_.VerifyCounters(model_));
  return model_.VerifyDerived();
}

}  // namespace rotor::projections
