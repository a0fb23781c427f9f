// FleetRollouts: every rollout the fleet projection has seen, in order of
// initiation, with the progress counters of the active ones kept current.
//
// The counters of an active rollout are the sum over the agents of their
// Contribution (the progress rule, events/progress_rule.h, applied to the
// agent's facts in a FleetModel). They are kept by subtracting an agent's
// contribution before a change and adding it after (BeforeAgentChange /
// AfterAgentChange), so a progress query never walks the agents. An ended
// rollout keeps the counters it had.
//
// Owns the RolloutStates; reads the FleetModel it is given. Thread-
// compatible: const calls may run concurrently with each other, not with a
// mutation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "model/string_interner.h"
#include "projections/fleet_model.h"
#include "projections/rollout_state.h"

namespace rotor::projections {

// What agent `agent` of `model` adds to `rollout`'s counters: the progress
// rule on its facts, and its gateway and site when counted.
Contribution Contribute(const FleetModel& model, const RolloutState& rollout, uint32_t agent);

class FleetRollouts {
 public:
  static constexpr uint32_t kNotFound = StringInterner::kNotFound;

  void Clear();

  size_t size() const { return rollouts_.size(); }
  const RolloutState& operator[](uint32_t r) const { return rollouts_[r]; }
  // For the projection's event handlers; counters are this class's to move.
  RolloutState& Mutable(uint32_t r) { return rollouts_[r]; }
  // The index of rollout `id`; kNotFound when unknown.
  uint32_t Find(std::string_view id) const;
  // Active rollouts' indices, in order of initiation.
  const std::vector<uint32_t>& active() const { return active_; }

  // Adds an active rollout `id` initiated at `at_micros`; kNotFound (and no
  // change) when `id` is empty or exists already.
  uint32_t Create(std::string_view id, int64_t at_micros);
  // Ends rollout `r` at `at_micros`: its counters stop changing.
  void End(uint32_t r, int64_t at_micros);
  // Counts every agent of `model` into rollout `r` from zero.
  void Recount(const FleetModel& model, uint32_t r);

  // Around a change of agent `agent`: remembers its contributions to the
  // active rollouts, then moves each rollout's counters by the difference
  // and calls `changed(r)` for every rollout whose counters moved (receipts
  // at `at_micros`).
  void BeforeAgentChange(const FleetModel& model, uint32_t agent);
  template <typename Changed>
  void AfterAgentChange(const FleetModel& model, uint32_t agent, int64_t at_micros,
                        Changed&& changed) {
    for (size_t i = 0; i < active_.size(); ++i) {
      if (Move(model, agent, active_[i], before_[i], at_micros)) changed(active_[i]);
    }
  }

  // Loading (fleet_codec.cc): appends a decoded rollout; false when its id
  // is empty or taken. Then Activate recounts the active ones from `model`.
  bool Add(RolloutState rollout);
  void Activate(const FleetModel& model);

  // Recounts the active rollouts and compares. Errors: kInternal naming the
  // rollout (a bug).
  Status VerifyCounters(const FleetModel& model) const;
  size_t MemoryBytes() const;

 private:
  // Moves rollout `r` from `before` to agent's contribution now; true when it changed.
  bool Move(const FleetModel& model, uint32_t agent, uint32_t r, const Contribution& before,
            int64_t at_micros);

  std::vector<RolloutState> rollouts_;
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> index_;
  std::vector<uint32_t> active_;
  std::vector<Contribution> before_;  // scratch: by position in active_
};

}  // namespace rotor::projections
