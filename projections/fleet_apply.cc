// FleetProjection: folding events into the fleet model.
#include <algorithm>

#include "projections/fleet_projection.h"

namespace rotor::projections {

FleetProjection::FleetProjection() { Clear(); }

void FleetProjection::Clear() {
  agent_ids_.Clear();
  agents_.clear();
  agents_.shrink_to_fit();
  fingerprints_.Clear();
  gateways_.Clear();
  sites_.Clear();
  fingerprints_.Intern("");
  gateways_.Intern("");
  sites_.Intern("");
  sets_.Clear();
  holders_.assign(1, 0);
  certs_.clear();
  stale_.clear();
  rollouts_.clear();
  rollout_index_.clear();
  active_.clear();
  live_agents_ = 0;
  last_sequence_ = 0;
  latest_micros_ = 0;
  dirty_agents_.clear();
  dirty_rollouts_.clear();
  dirty_rollout_flags_.clear();
  dirty_certs_.clear();
  dirty_renewed_.clear();
  dirty_targets_.clear();
  written_fingerprints_ = written_gateways_ = written_sites_ = 0;
  last_fp_texts_.clear();
  last_fps_.clear();
  last_set_ = 0;
}

void FleetProjection::Reserve(size_t agents) {
  agent_ids_.Reserve(agents, 16);
  agents_.reserve(agents);
}

void FleetProjection::Apply(const RecordedEvent& record, const Event& event) {
  if (record.sequence <= last_sequence_) return;  // replayed: already folded
  last_sequence_ = record.sequence;
  latest_micros_ = std::max(latest_micros_, ToMicros(record.recorded_at));
  std::visit([&](const auto& e) { On(record, e); }, event);
}

void FleetProjection::Prefetch(const Event& event, bool near) const {
  const std::string* agent_id = nullptr;
  if (const auto* report = std::get_if<AgentInventoryReported>(&event)) {
    agent_id = &report->agent_id;
  } else if (const auto* flag = std::get_if<AgentFlaggedStale>(&event)) {
    agent_id = &flag->agent_id;
  } else {
    return;
  }
  // Far ahead: the id's hash slot. Near: the entry that slot names and its record.
  if (!near) return agent_ids_.PrefetchSlot(*agent_id);
  uint32_t a = agent_ids_.PeekId(*agent_id);
  if (a < agents_.size()) __builtin_prefetch(&agents_[a]);
}

uint32_t FleetProjection::InternAgent(std::string_view agent_id) {
  uint32_t a = agent_ids_.Intern(agent_id);
  if (a == agents_.size()) {
    agents_.emplace_back();
    MarkAgent(a);
  }
  return a;
}

uint32_t FleetProjection::InternFingerprint(std::string_view fingerprint) {
  uint32_t f = fingerprints_.Intern(fingerprint);
  if (f >= holders_.size()) holders_.resize(f + 1, 0);
  return f;
}

RolloutState* FleetProjection::FindRollout(std::string_view rollout_id) {
  auto it = rollout_index_.find(rollout_id);
  return it == rollout_index_.end() ? nullptr : &rollouts_[it->second];
}

const RolloutState* FleetProjection::FindRollout(std::string_view rollout_id) const {
  auto it = rollout_index_.find(rollout_id);
  return it == rollout_index_.end() ? nullptr : &rollouts_[it->second];
}

void FleetProjection::MarkAgent(uint32_t agent) {
  if (!track_ || (agents_[agent].flags & kDirty) != 0) return;
  agents_[agent].flags |= kDirty;
  dirty_agents_.push_back(agent);
}

void FleetProjection::MarkRollout(uint32_t rollout) {
  if (!track_) return;
  if (dirty_rollout_flags_.size() <= rollout) dirty_rollout_flags_.resize(rollout + 1, 0);
  if (dirty_rollout_flags_[rollout] != 0) return;
  dirty_rollout_flags_[rollout] = 1;
  dirty_rollouts_.push_back(rollout);
}

void FleetProjection::MarkCert(uint32_t fingerprint, CertInfo& cert) {
  if (!track_ || cert.dirty) return;
  cert.dirty = true;
  dirty_certs_.push_back(fingerprint);
}

Contribution FleetProjection::Contribute(const RolloutState& rollout, uint32_t agent) const {
  const AgentRecord& a = agents_[agent];
  AgentFacts f;
  f.reported = (a.flags & kReported) != 0;
  f.deleted = (a.flags & kDeleted) != 0;
  f.stale = (a.flags & kStale) != 0;
  f.revoked = (a.flags & kRevoked) != 0;
  f.cloud_enabled = (a.flags & kCloud) != 0;
  if (rollout.kind == RolloutKind::kReplacement) {
    f.holds_old = rollout.old_fp != 0 && sets_.Contains(a.inventory, rollout.old_fp);
    // Only a holder of the old certificate can count: skip the second lookup otherwise.
    f.holds_new = f.holds_old && rollout.new_fp != 0 && sets_.Contains(a.inventory, rollout.new_fp);
  } else {
    f.targeted = rollout.explicit_targets && rollout.targets.contains(agent);
    auto it = rollout.renewed.find(agent);
    f.holds_new = it != rollout.renewed.end() && sets_.Contains(a.inventory, it->second);
  }
  Contribution c{rotor::Contribute(rollout.Facts(), f)};
  if (c.rule.counted) {
    c.gateway = a.gateway;
    c.site = a.site;
  }
  return c;
}

template <typename Mutate>
void FleetProjection::ChangeAgent(uint32_t agent, int64_t at, bool new_inventory, Mutate&& mutate) {
  const AgentRecord before = agents_[agent];
  before_.clear();
  for (uint32_t r : active_) before_.push_back(Contribute(rollouts_[r], agent));
  mutate(agents_[agent]);
  const AgentRecord& after = agents_[agent];
  for (size_t i = 0; i < active_.size(); ++i) {
    RolloutState& rollout = rollouts_[active_[i]];
    Contribution now = Contribute(rollout, agent);
    if (now == before_[i]) continue;
    rollout.Count(before_[i], -1);
    rollout.Count(now, +1);
    if (now.rule.received && !before_[i].rule.received) rollout.receipts.Add(at);
    MarkRollout(active_[i]);
  }
  bool was_live = Live(before);
  bool is_live = Live(after);
  if (was_live != is_live || before.inventory != after.inventory) {
    if (was_live) {
      for (uint32_t f : sets_.Get(before.inventory)) --holders_[f];
    }
    if (is_live) {
      for (uint32_t f : sets_.Get(after.inventory)) ++holders_[f];
    }
    live_agents_ += static_cast<uint64_t>(static_cast<int64_t>(is_live) - was_live);
  }
  if (new_inventory) sets_.Release(before.inventory);
  if ((before.flags & kStale) != 0 && (after.flags & kStale) == 0) stale_.erase(agent);
  MarkAgent(agent);
}

void FleetProjection::On(const RecordedEvent& r, const AgentInventoryReported& e) {
  uint32_t a = InternAgent(e.agent_id);
  int64_t reported_at = ToMicros(e.reported_at);
  const AgentRecord& current = agents_[a];
  if ((current.flags & kReported) != 0 && reported_at <= current.last_report &&
      !e.supersedes_future_report) {
    return;  // older than the latest (unless that one was dated in the future: decide.h)
  }
  if (e.certificate_fingerprints != last_fp_texts_) {
    last_fps_.clear();
    for (const std::string& f : e.certificate_fingerprints) {
      if (!f.empty()) last_fps_.push_back(InternFingerprint(f));
    }
    std::sort(last_fps_.begin(), last_fps_.end());
    last_fps_.erase(std::unique(last_fps_.begin(), last_fps_.end()), last_fps_.end());
    last_fp_texts_.resize(e.certificate_fingerprints.size());
    for (size_t i = 0; i < last_fp_texts_.size(); ++i) {
      last_fp_texts_[i].assign(e.certificate_fingerprints[i]);
    }
  }
  // Reports mostly repeat the agent's gateway and site: skip interning then.
  uint32_t gateway = gateways_.Get(current.gateway) == e.gateway_id
                         ? current.gateway
                         : gateways_.Intern(e.gateway_id);
  uint32_t site = sites_.Get(current.site) == e.site ? current.site : sites_.Intern(e.site);
  ChangeAgent(a, ToMicros(r.recorded_at), true, [&](AgentRecord& agent) {
    agent.inventory = last_set_ = sets_.Acquire(last_fps_, last_set_);
    agent.last_report = reported_at;
    agent.gateway = gateway;
    agent.site = site;
    agent.flags = static_cast<uint8_t>((agent.flags & ~(kStale | kDeleted | kCloud)) | kReported |
                                       (e.cloud_enabled ? kCloud : 0));
  });
}

void FleetProjection::On(const RecordedEvent& r, const AgentFlaggedStale& e) {
  uint32_t a = InternAgent(e.agent_id);
  const AgentRecord& current = agents_[a];
  int64_t last_report = ToMicros(e.last_report_at);
  if ((current.flags & (kDeleted | kStale)) != 0) return;
  if ((current.flags & kReported) != 0 && last_report < current.last_report) return;
  ChangeAgent(a, ToMicros(r.recorded_at), false, [&](AgentRecord& agent) {
    agent.flags |= kStale;
    if ((agent.flags & kReported) == 0) agent.last_report = last_report;
  });
  stale_[a] = ToMicros(e.flagged_at);
}

void FleetProjection::On(const RecordedEvent& r, const AgentStaleCleared& e) {
  uint32_t a = agent_ids_.Find(e.agent_id);
  if (a == StringInterner::kNotFound || (agents_[a].flags & kStale) == 0) return;
  ChangeAgent(a, ToMicros(r.recorded_at), false,
              [](AgentRecord& agent) { agent.flags &= static_cast<uint8_t>(~kStale); });
}

void FleetProjection::On(const RecordedEvent& r, const AgentResourceDeleted& e) {
  uint32_t a = InternAgent(e.agent_id);
  if ((agents_[a].flags & kDeleted) != 0) return;
  ChangeAgent(a, ToMicros(r.recorded_at), false, [](AgentRecord& agent) {
    agent.flags = static_cast<uint8_t>((agent.flags & ~kStale) | kDeleted);
  });
}

void FleetProjection::On(const RecordedEvent& r, const CertificateRevoked& e) {
  uint32_t f = InternFingerprint(e.fingerprint);
  CertInfo& cert = certs_[f];
  cert.revoked = true;
  MarkCert(f, cert);
  const std::string& agent_id = e.agent_id.empty() ? cert.agent_id : e.agent_id;
  if (agent_id.empty()) return;
  uint32_t a = InternAgent(agent_id);
  if ((agents_[a].flags & kRevoked) != 0) return;
  ChangeAgent(a, ToMicros(r.recorded_at), false,
              [](AgentRecord& agent) { agent.flags |= kRevoked; });
}

void FleetProjection::On(const RecordedEvent&, const CertificateRegistered& e) {
  uint32_t f = InternFingerprint(e.fingerprint);
  CertInfo& cert = certs_[f];
  cert.kind = e.kind;
  cert.subject = e.subject;
  cert.issuer = e.issuer;
  cert.serial_hex = e.serial_hex;
  cert.not_before = ToMicros(e.not_before);
  cert.not_after = ToMicros(e.not_after);
  cert.agent_id = e.agent_id;
  cert.registered = true;
  MarkCert(f, cert);
}

// Renewals: the certificate a renewal issued to an agent (ChangeAgent is defined here).
void FleetProjection::On(const RecordedEvent& r, const AgentCertificateRenewed& e) {
  uint32_t fp = InternFingerprint(e.new_fingerprint);
  uint32_t a = InternAgent(e.agent_id);
  CertInfo& cert = certs_[fp];
  if (!cert.registered) {
    cert.kind = CertificateKind::kCemAgent;
    cert.serial_hex = e.serial_hex;
    cert.not_after = ToMicros(e.not_after);
    cert.agent_id = e.agent_id;
    cert.registered = true;
    MarkCert(fp, cert);
  }
  auto it = rollout_index_.find(e.rollout_id);
  if (it == rollout_index_.end() || rollouts_[it->second].kind != RolloutKind::kRenewal) return;
  uint32_t index = it->second;
  ChangeAgent(a, ToMicros(r.recorded_at), false,
              [&](AgentRecord&) { rollouts_[index].renewed[a] = fp; });
  if (track_) dirty_renewed_.emplace_back(index, a);
}

}  // namespace rotor::projections
