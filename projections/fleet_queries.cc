// FleetProjection: queries. Each builds plain view structs from the model.
#include <algorithm>

#include "projections/fleet_projection.h"

namespace rotor::projections {
namespace {

constexpr int64_t kMicrosPerDay = 86'400'000'000LL;

std::string Summary(const RolloutState& rollout) {
  std::string s = std::to_string(rollout.counters.received);
  s += " of ";
  s += std::to_string(rollout.counters.total);
  s += rollout.kind == RolloutKind::kRenewal ? " agents received a renewed certificate"
                                             : " agents received the new certificate";
  return s;
}

}  // namespace

RolloutProgress FleetProjection::MakeProgress(const RolloutState& rollout, bool breakdown) const {
  RolloutProgress p;
  p.rollout_id = rollout.id;
  p.kind = rollout.kind;
  p.status = rollout.Status();
  p.certificate_kind = rollout.certificate_kind;
  p.mode = rollout.mode;
  p.renewal_target = rollout.target;
  p.old_fingerprint = fingerprints_.Get(rollout.old_fp);
  p.new_fingerprint = fingerprints_.Get(rollout.new_fp);
  p.gateway_id = rollout.gateway_id;
  p.staged = rollout.staged;
  p.bindings_switched = rollout.switched;
  p.required_staged_permille = rollout.required_staged_permille;
  p.forced = rollout.forced;
  const Counters& c = rollout.counters;
  p.total = c.total;
  p.received = c.received;
  p.outstanding = c.total - c.received;
  p.stale = c.stale;
  p.stale_outstanding = c.stale_outstanding;
  p.revoked = c.revoked;
  p.not_counted = c.not_counted;
  for (const auto& [gateway, step] : rollout.pending) {
    p.pending_gateway_steps.push_back({std::string(gateways_.Get(gateway)), step});
  }
  if (rollout.active()) {
    p.received_last_hour = rollout.receipts.CountLastHour(latest_micros_);
    if (p.received_last_hour > 0) {
      // Ceiling of outstanding / (received per second).
      uint64_t numerator = p.outstanding * 3600;
      p.eta_seconds =
          static_cast<int64_t>((numerator + p.received_last_hour - 1) / p.received_last_hour);
    }
  }
  p.initiated_at = TimeFromMicros(rollout.initiated_at);
  if (!rollout.active()) p.ended_at = TimeFromMicros(rollout.ended_at);
  p.as_of = TimeFromMicros(latest_micros_);
  p.summary = Summary(rollout);
  if (breakdown) {
    auto rows = [](const std::vector<Tally>& tallies, const StringInterner& names) {
      std::vector<BreakdownRow> out;
      for (uint32_t id = 0; id < tallies.size(); ++id) {
        const Tally& t = tallies[id];
        if (t.total == 0) continue;
        out.push_back(
            {std::string(names.Get(id)), t.total, t.received, t.total - t.received, t.stale});
      }
      std::sort(out.begin(), out.end(),
                [](const BreakdownRow& a, const BreakdownRow& b) { return a.key < b.key; });
      return out;
    };
    p.by_gateway = rows(rollout.by_gateway, gateways_);
    p.by_site = rows(rollout.by_site, sites_);
  }
  return p;
}

std::optional<RolloutProgress> FleetProjection::Progress(std::string_view rollout_id) const {
  const RolloutState* rollout = FindRollout(rollout_id);
  if (rollout == nullptr) return std::nullopt;
  return MakeProgress(*rollout, false);
}

std::optional<RolloutProgress> FleetProjection::ProgressWithBreakdown(
    std::string_view rollout_id) const {
  const RolloutState* rollout = FindRollout(rollout_id);
  if (rollout == nullptr) return std::nullopt;
  return MakeProgress(*rollout, true);
}

std::vector<RolloutProgress> FleetProjection::Rollouts() const {
  std::vector<RolloutProgress> out;
  out.reserve(rollouts_.size());
  for (const RolloutState& rollout : rollouts_) out.push_back(MakeProgress(rollout, false));
  return out;
}

std::vector<StaleAgent> FleetProjection::StaleAgents() const {
  std::vector<uint32_t> order;
  order.reserve(stale_.size());
  for (const auto& [agent, flagged_at] : stale_) order.push_back(agent);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (agents_[a].last_report != agents_[b].last_report) {
      return agents_[a].last_report < agents_[b].last_report;
    }
    return agent_ids_.Get(a) < agent_ids_.Get(b);
  });
  std::vector<StaleAgent> out;
  out.reserve(order.size());
  for (uint32_t a : order) {
    const AgentRecord& agent = agents_[a];
    StaleAgent s;
    s.agent_id = agent_ids_.Get(a);
    s.last_report_at = TimeFromMicros(agent.last_report);
    s.flagged_at = TimeFromMicros(stale_.at(a));
    s.gateway_id = gateways_.Get(agent.gateway);
    s.site = sites_.Get(agent.site);
    for (uint32_t r : active_) {
      Contribution c = Contribute(rollouts_[r], a);
      if (c.rule.counted && !c.rule.received) s.holds_up.push_back(rollouts_[r].id);
    }
    out.push_back(std::move(s));
  }
  return out;
}

AgentView FleetProjection::MakeAgentView(uint32_t a) const {
  const AgentRecord& agent = agents_[a];
  AgentView v;
  v.agent_id = agent_ids_.Get(a);
  for (uint32_t f : sets_.Get(agent.inventory)) v.certificates.emplace_back(fingerprints_.Get(f));
  std::sort(v.certificates.begin(), v.certificates.end());
  if ((agent.flags & kReported) != 0) v.last_report_at = TimeFromMicros(agent.last_report);
  v.gateway_id = gateways_.Get(agent.gateway);
  v.site = sites_.Get(agent.site);
  v.cloud_enabled = (agent.flags & kCloud) != 0;
  v.stale = (agent.flags & kStale) != 0;
  v.revoked = (agent.flags & kRevoked) != 0;
  v.deleted = (agent.flags & kDeleted) != 0;
  return v;
}

std::optional<AgentView> FleetProjection::Agent(std::string_view agent_id) const {
  uint32_t a = agent_ids_.Find(agent_id);
  if (a == StringInterner::kNotFound) return std::nullopt;
  return MakeAgentView(a);
}

std::vector<AgentView> FleetProjection::Agents(size_t offset, size_t limit) const {
  std::vector<AgentView> out;
  for (size_t a = offset; a < agents_.size() && out.size() < limit; ++a) {
    out.push_back(MakeAgentView(static_cast<uint32_t>(a)));
  }
  return out;
}

CertificateView FleetProjection::MakeCertView(uint32_t f, const CertInfo& cert) const {
  CertificateView v;
  v.fingerprint = fingerprints_.Get(f);
  v.kind = cert.kind;
  v.subject = cert.subject;
  v.issuer = cert.issuer;
  v.serial_hex = cert.serial_hex;
  v.not_before = TimeFromMicros(cert.not_before);
  v.not_after = TimeFromMicros(cert.not_after);
  v.agent_id = cert.agent_id;
  v.holders = holders_[f];
  v.revoked = cert.revoked;
  return v;
}

std::vector<CertificateView> FleetProjection::Certificates() const {
  std::vector<CertificateView> out;
  for (const auto& [f, cert] : certs_) {
    if (cert.registered) out.push_back(MakeCertView(f, cert));
  }
  std::sort(out.begin(), out.end(), [](const CertificateView& a, const CertificateView& b) {
    if (a.not_after != b.not_after) return a.not_after < b.not_after;
    return a.fingerprint < b.fingerprint;
  });
  return out;
}

std::vector<CertificateView> FleetProjection::CertificatesDueForRenewal(Time now, int days) const {
  int64_t horizon = ToMicros(now) + static_cast<int64_t>(days) * kMicrosPerDay;
  std::vector<CertificateView> out;
  for (CertificateView& v : Certificates()) {
    if (!v.revoked && ToMicros(v.not_after) <= horizon) out.push_back(std::move(v));
  }
  return out;
}

}  // namespace rotor::projections
