// The fleet projection's store codec: a FleetModel and FleetRollouts as the
// records of the key schema (projections/fleet_keys.h), and back; and
// FleetChanges, the record of what changed since the last write, so that a
// commit writes only those entries (docs/projections.md, "Store and
// checkpoint").
//
// Stored: agents, certificates, interned strings, rollouts (with their
// renewal targets and renewed certificates) and the meta record. Derived and
// rebuilt on load: counters of active rollouts, holder counts, the stale
// list's index, inventory sets.
//
// Free functions on caller-owned state; FleetChanges is thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "base/status.h"
#include "projections/fleet_model.h"
#include "projections/fleet_rollouts.h"
#include "projections/projection.h"

namespace rotor::projections {

// The meta record: the last sequence folded and the latest recorded_at.
struct FleetMeta {
  uint64_t last_sequence = 0;
  int64_t latest_micros = 0;
};

// How many interned strings of each kind are stored (each counts id 0,
// which is never stored).
struct WrittenStrings {
  size_t fingerprints = 0;
  size_t gateways = 0;
  size_t sites = 0;
};

// The entries changed since the last write, each listed once, and how many
// interned strings are stored already.
class FleetChanges {
 public:
  void MarkAgent(uint32_t agent);
  void MarkRollout(uint32_t rollout);
  void MarkCertificate(uint32_t fingerprint);
  // Agent `agent` got a renewed certificate in rollout `rollout`.
  void MarkRenewed(uint32_t rollout, uint32_t agent) { renewed_.emplace_back(rollout, agent); }
  // Rollout `rollout`'s listed targets are new.
  void MarkTargets(uint32_t rollout) { targets_.push_back(rollout); }

  const std::vector<uint32_t>& agents() const { return agents_; }
  const std::vector<uint32_t>& rollouts() const { return rollouts_; }
  const std::vector<uint32_t>& certificates() const { return certificates_; }
  const std::vector<std::pair<uint32_t, uint32_t>>& renewed() const { return renewed_; }
  const std::vector<uint32_t>& targets() const { return targets_; }

  // Forgets the changes (after they were written).
  void Forget();
  // Nothing changed and no string is stored (an empty key space).
  void Reset();
  // Nothing changed and every string of `model` is stored (after a full
  // write or a load).
  void AllWritten(const FleetModel& model);

  WrittenStrings& written() { return written_; }

 private:
  WrittenStrings written_;
  std::vector<uint32_t> agents_;
  std::vector<uint32_t> rollouts_;
  std::vector<uint32_t> certificates_;
  std::vector<std::pair<uint32_t, uint32_t>> renewed_;  // rollout, agent
  std::vector<uint32_t> targets_;                       // rollouts
  std::vector<bool> agent_marks_;                       // by agent: listed in agents_
  std::vector<bool> rollout_marks_;                     // by rollout
  std::vector<bool> certificate_marks_;                 // by fingerprint id
};

// Writes the entries `changes` lists, the strings interned since the last
// write and the meta record, then forgets the changes.
void WriteFleetChanges(const FleetModel& model, const FleetRollouts& rollouts,
                       const FleetMeta& meta, FleetChanges* changes, KvWriter& out);

// Writes the whole state (into an empty key space); `changes` then says
// nothing changed and every string is stored.
void WriteFleet(const FleetModel& model, const FleetRollouts& rollouts, const FleetMeta& meta,
                FleetChanges* changes, KvWriter& out);

// Reads the stored state into the empty `model`, `rollouts` and `meta`, and
// rebuilds what is derived. Errors: kCorruption naming the first entry that
// does not decode or contradicts another (the outputs are then partly
// filled: the caller clears them); the reader's errors.
Status LoadFleet(const KvReader& in, FleetModel* model, FleetRollouts* rollouts, FleetMeta* meta);

}  // namespace rotor::projections
