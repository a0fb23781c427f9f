#include "projections/fleet_model.h"

namespace rotor::projections {

FleetModel::FleetModel() { Clear(); }

void FleetModel::Clear() {
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
  live_agents_ = 0;
}

void FleetModel::Reserve(size_t agents) {
  agent_ids_.Reserve(agents, 16);
  agents_.reserve(agents);
}

uint32_t FleetModel::InternAgent(std::string_view agent_id) {
  uint32_t a = agent_ids_.Intern(agent_id);
  if (a == agents_.size()) agents_.emplace_back();
  return a;
}

void FleetModel::PrefetchAgent(std::string_view agent_id, bool near) const {
  // Far ahead: the id's hash slot. Near: the entry that slot names and its record.
  if (!near) return agent_ids_.PrefetchSlot(agent_id);
  uint32_t a = agent_ids_.PeekId(agent_id);
  if (a < agents_.size()) __builtin_prefetch(&agents_[a]);
}

uint32_t FleetModel::InternFingerprint(std::string_view fingerprint) {
  uint32_t f = fingerprints_.Intern(fingerprint);
  if (f >= holders_.size()) holders_.resize(f + 1, 0);
  return f;
}

void FleetModel::AfterChange(uint32_t a, const AgentRecord& before, bool new_inventory) {
  const AgentRecord& after = agents_[a];
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
  if ((before.flags & kStale) != 0 && (after.flags & kStale) == 0) stale_.erase(a);
}

uint32_t FleetModel::AddAgent(std::string_view agent_id, AgentRecord record,
                              std::span<const uint32_t> inventory, uint32_t hint,
                              int64_t flagged_at) {
  auto a = static_cast<uint32_t>(agents_.size());
  if (agent_ids_.Intern(agent_id) != a) return StringInterner::kNotFound;
  record.inventory = sets_.Acquire(inventory, hint);
  agents_.push_back(record);
  if ((record.flags & kStale) != 0) stale_.emplace(a, flagged_at);
  return a;
}

void FleetModel::RebuildDerived() {
  holders_.assign(fingerprints_.size(), 0);
  live_agents_ = 0;
  for (const AgentRecord& agent : agents_) {
    if (!Live(agent)) continue;
    ++live_agents_;
    for (uint32_t f : sets_.Get(agent.inventory)) ++holders_[f];
  }
}

Status FleetModel::VerifyDerived() const {
  std::vector<uint32_t> holders(holders_.size(), 0);
  uint64_t live = 0;
  size_t stale = 0;
  for (const AgentRecord& agent : agents_) {
    if (Live(agent)) {
      ++live;
      for (uint32_t f : sets_.Get(agent.inventory)) ++holders[f];
    }
    if ((agent.flags & kStale) != 0) ++stale;
  }
  if (holders != holders_) return Status::Internal("certificate holder counts differ");
  if (live != live_agents_) return Status::Internal("live agent count differs");
  if (stale != stale_.size()) return Status::Internal("stale list differs from the stale flags");
  return Status::Ok();
}

size_t FleetModel::MemoryBytes() const {
  return agent_ids_.MemoryBytes() + agents_.capacity() * sizeof(AgentRecord) +
         fingerprints_.MemoryBytes() + gateways_.MemoryBytes() + sites_.MemoryBytes() +
         sets_.MemoryBytes() + holders_.capacity() * sizeof(uint32_t) +
         stale_.bucket_count() * sizeof(void*) + stale_.size() * 32 +
         certs_.size() * (sizeof(CertificateRecord) + 32);
}

}  // namespace rotor::projections
