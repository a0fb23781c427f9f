#include "projections/fleet_rollouts.h"

#include <algorithm>

namespace rotor::projections {

Contribution Contribute(const FleetModel& model, const RolloutState& rollout, uint32_t agent) {
  const AgentRecord& a = model.agent(agent);
  AgentFacts f;
  f.reported = (a.flags & kReported) != 0;
  f.deleted = (a.flags & kDeleted) != 0;
  f.stale = (a.flags & kStale) != 0;
  f.revoked = (a.flags & kRevoked) != 0;
  f.cloud_enabled = (a.flags & kCloud) != 0;
  if (rollout.kind == RolloutKind::kReplacement) {
    f.holds_old = rollout.old_fp != 0 && model.Holds(agent, rollout.old_fp);
    // Only a holder of the old certificate can count: skip the second lookup otherwise.
    f.holds_new = f.holds_old && rollout.new_fp != 0 && model.Holds(agent, rollout.new_fp);
  } else {
    f.targeted = rollout.explicit_targets && rollout.targets.contains(agent);
    auto it = rollout.renewed.find(agent);
    f.holds_new = it != rollout.renewed.end() && model.Holds(agent, it->second);
  }
  Contribution c{rotor::Contribute(rollout.Facts(), f)};
  if (c.rule.counted) {
    c.gateway = a.gateway;
    c.site = a.site;
  }
  return c;
}

void FleetRollouts::Clear() {
  rollouts_.clear();
  index_.clear();
  active_.clear();
}

uint32_t FleetRollouts::Find(std::string_view id) const {
  auto it = index_.find(id);
  return it == index_.end() ? kNotFound : it->second;
}

uint32_t FleetRollouts::Create(std::string_view id, int64_t at_micros) {
  if (id.empty() || index_.contains(id)) return kNotFound;
  auto r = static_cast<uint32_t>(rollouts_.size());
  index_.emplace(std::string(id), r);
  RolloutState& rollout = rollouts_.emplace_back();
  rollout.id = std::string(id);
  rollout.initiated_at = at_micros;
  active_.push_back(r);
  return r;
}

void FleetRollouts::End(uint32_t r, int64_t at_micros) {
  rollouts_[r].ended_at = at_micros;
  active_.erase(std::remove(active_.begin(), active_.end(), r), active_.end());
}

void FleetRollouts::Recount(const FleetModel& model, uint32_t r) {
  RolloutState& rollout = rollouts_[r];
  rollout.ResetCounters();
  auto n = static_cast<uint32_t>(model.agent_count());
  for (uint32_t a = 0; a < n; ++a) rollout.Count(Contribute(model, rollout, a), +1);
}

void FleetRollouts::BeforeAgentChange(const FleetModel& model, uint32_t agent) {
  before_.clear();
  for (uint32_t r : active_) before_.push_back(Contribute(model, rollouts_[r], agent));
}

bool FleetRollouts::Move(const FleetModel& model, uint32_t agent, uint32_t r,
                         const Contribution& before, int64_t at_micros) {
  RolloutState& rollout = rollouts_[r];
  Contribution now = Contribute(model, rollout, agent);
  if (now == before) return false;
  rollout.Count(before, -1);
  rollout.Count(now, +1);
  if (now.rule.received && !before.rule.received) rollout.receipts.Add(at_micros);
  return true;
}

bool FleetRollouts::Add(RolloutState rollout) {
  if (rollout.id.empty() || index_.contains(rollout.id)) return false;
  index_.emplace(rollout.id, static_cast<uint32_t>(rollouts_.size()));
  rollouts_.push_back(std::move(rollout));
  return true;
}

void FleetRollouts::Activate(const FleetModel& model) {
  active_.clear();
  for (uint32_t r = 0; r < rollouts_.size(); ++r) {
    if (!rollouts_[r].active()) continue;
    active_.push_back(r);
    Recount(model, r);
  }
}

Status FleetRollouts::VerifyCounters(const FleetModel& model) const {
  auto trimmed = [](std::vector<Tally> t) {
    while (!t.empty() && t.back() == Tally{}) t.pop_back();
    return t;
  };
  for (uint32_t r : active_) {
    const RolloutState& kept = rollouts_[r];
    RolloutState fresh;
    fresh.kind = kept.kind;
    for (uint32_t a = 0; a < model.agent_count(); ++a) fresh.Count(Contribute(model, kept, a), +1);
    if (!(fresh.counters == kept.counters) ||
        trimmed(fresh.by_gateway) != trimmed(kept.by_gateway) ||
        trimmed(fresh.by_site) != trimmed(kept.by_site)) {
      return Status::Internal("rollout '" + kept.id + "': counters differ from a recount");
    }
  }
  return Status::Ok();
}

size_t FleetRollouts::MemoryBytes() const {
  size_t bytes = rollouts_.capacity() * sizeof(RolloutState);
  for (const RolloutState& r : rollouts_) {
    bytes += (r.by_gateway.capacity() + r.by_site.capacity()) * sizeof(Tally) +
             (r.targets.size() + r.renewed.size()) * 32;
  }
  return bytes;
}

}  // namespace rotor::projections
