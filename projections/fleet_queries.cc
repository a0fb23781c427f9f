#include "projections/fleet_queries.h"

#include <algorithm>

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

RolloutProgress FleetQueries::MakeProgress(const RolloutState& rollout, bool breakdown) const {
  RolloutProgress p;
  p.rollout_id = rollout.id;
  p.kind = rollout.kind;
  p.status = rollout.Status();
  p.certificate_kind = rollout.certificate_kind;
  p.mode = rollout.mode;
  p.renewal_target = rollout.target;
  p.old_fingerprint = model_.fingerprints().Get(rollout.old_fp);
  p.new_fingerprint = model_.fingerprints().Get(rollout.new_fp);
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
    p.pending_gateway_steps.push_back({std::string(model_.gateways().Get(gateway)), step});
  }
  if (rollout.active()) {
    p.received_last_hour = rollout.receipts.CountLastHour(now_micros_);
    if (p.received_last_hour > 0) {
      // Ceiling of outstanding / (received per second).
      uint64_t numerator = p.outstanding * 3600;
      p.eta_seconds =
          static_cast<int64_t>((numerator + p.received_last_hour - 1) / p.received_last_hour);
    }
  }
  p.initiated_at = TimeFromMicros(rollout.initiated_at);
  if (!rollout.active()) p.ended_at = TimeFromMicros(rollout.ended_at);
  p.as_of = TimeFromMicros(now_micros_);
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
    p.by_gateway = rows(rollout.by_gateway, model_.gateways());
    p.by_site = rows(rollout.by_site, model_.sites());
  }
  return p;
}

std::optional<RolloutProgress> FleetQueries::Progress(std::string_view rollout_id,
                                                      bool breakdown) const {
  uint32_t r = rollouts_.Find(rollout_id);
  if (r == FleetRollouts::kNotFound) return std::nullopt;
  return MakeProgress(rollouts_[r], breakdown);
}

std::vector<RolloutProgress> FleetQueries::Rollouts() const {
  std::vector<RolloutProgress> out;
  out.reserve(rollouts_.size());
  for (uint32_t r = 0; r < rollouts_.size(); ++r) out.push_back(MakeProgress(rollouts_[r], false));
  return out;
}

std::vector<StaleAgent> FleetQueries::StaleAgents() const {
  std::vector<uint32_t> order;
  order.reserve(model_.stale().size());
  for (const auto& [agent, flagged_at] : model_.stale()) order.push_back(agent);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (model_.agent(a).last_report != model_.agent(b).last_report) {
      return model_.agent(a).last_report < model_.agent(b).last_report;
    }
    return model_.agent_id(a) < model_.agent_id(b);
  });
  std::vector<StaleAgent> out;
  out.reserve(order.size());
  for (uint32_t a : order) {
    const AgentRecord& agent = model_.agent(a);
    StaleAgent s;
    s.agent_id = model_.agent_id(a);
    s.last_report_at = TimeFromMicros(agent.last_report);
    s.flagged_at = TimeFromMicros(model_.stale().at(a));
    s.gateway_id = model_.gateways().Get(agent.gateway);
    s.site = model_.sites().Get(agent.site);
    for (uint32_t r : rollouts_.active()) {
      Contribution c = Contribute(model_, rollouts_[r], a);
      if (c.rule.counted && !c.rule.received) s.holds_up.push_back(rollouts_[r].id);
    }
    out.push_back(std::move(s));
  }
  return out;
}

AgentView FleetQueries::MakeAgentView(uint32_t a) const {
  const AgentRecord& agent = model_.agent(a);
  AgentView v;
  v.agent_id = model_.agent_id(a);
  for (uint32_t f : model_.Inventory(a)) v.certificates.emplace_back(model_.fingerprints().Get(f));
  std::sort(v.certificates.begin(), v.certificates.end());
  if ((agent.flags & kReported) != 0) v.last_report_at = TimeFromMicros(agent.last_report);
  v.gateway_id = model_.gateways().Get(agent.gateway);
  v.site = model_.sites().Get(agent.site);
  v.cloud_enabled = (agent.flags & kCloud) != 0;
  v.stale = (agent.flags & kStale) != 0;
  v.revoked = (agent.flags & kRevoked) != 0;
  v.deleted = (agent.flags & kDeleted) != 0;
  return v;
}

std::optional<AgentView> FleetQueries::Agent(std::string_view agent_id) const {
  uint32_t a = model_.FindAgent(agent_id);
  if (a == StringInterner::kNotFound) return std::nullopt;
  return MakeAgentView(a);
}

std::vector<AgentView> FleetQueries::Agents(size_t offset, size_t limit) const {
  std::vector<AgentView> out;
  for (size_t a = offset; a < model_.agent_count() && out.size() < limit; ++a) {
    out.push_back(MakeAgentView(static_cast<uint32_t>(a)));
  }
  return out;
}

CertificateView FleetQueries::MakeCertView(uint32_t f, const CertificateRecord& cert) const {
  CertificateView v;
  v.fingerprint = model_.fingerprints().Get(f);
  v.kind = cert.kind;
  v.subject = cert.subject;
  v.issuer = cert.issuer;
  v.serial_hex = cert.serial_hex;
  v.not_before = TimeFromMicros(cert.not_before);
  v.not_after = TimeFromMicros(cert.not_after);
  v.agent_id = cert.agent_id;
  v.holders = model_.holders(f);
  v.revoked = cert.revoked;
  return v;
}

std::vector<CertificateView> FleetQueries::Certificates() const {
  std::vector<CertificateView> out;
  for (const auto& [f, cert] : model_.certificates()) {
    if (cert.registered) out.push_back(MakeCertView(f, cert));
  }
  std::sort(out.begin(), out.end(), [](const CertificateView& a, const CertificateView& b) {
    if (a.not_after != b.not_after) return a.not_after < b.not_after;
    return a.fingerprint < b.fingerprint;
  });
  return out;
}

std::vector<CertificateView> FleetQueries::CertificatesDueForRenewal(Time now, int days) const {
  int64_t horizon = ToMicros(now) + static_cast<int64_t>(days) * kMicrosPerDay;
  std::vector<CertificateView> out;
  for (CertificateView& v : Certificates()) {
    if (!v.revoked && ToMicros(v.not_after) <= horizon) out.push_back(std::move(v));
  }
  return out;
}

}  // namespace rotor::projections
