// AuditProjection: the audit timeline of every rollout — each lifecycle
// action (initiated, staged, bindings switched, gateway refresh required and
// performed, agent certificate renewed, finalized, cancelled) and each
// refused attempt ("finalize refused", with the reason) with its actor and
// time, in log order. Append-only: an entry is written once, under
// "e" rollout_id 0x00 BE64(sequence).
//
// Thread safety: thread-compatible (ProjectionRunner serializes Apply and
// readers).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/string_interner.h"
#include "projections/projection.h"
#include "projections/views.h"

namespace rotor::projections {

class AuditProjection final : public Projection {
 public:
  std::string_view name() const override { return "audit"; }
  void Apply(const RecordedEvent& record, const Event& event) override;
  void Clear() override;
  void set_track_changes(bool on) override { track_ = on; }
  void WriteChanges(KvWriter& out) override;
  void WriteAll(KvWriter& out) override;
  Status Load(const KvReader& in) override;
  size_t MemoryBytes() const override;

  // The rollout's entries in log order; empty for an unknown rollout.
  std::vector<AuditEntry> Timeline(std::string_view rollout_id) const;
  // Rollout ids with at least one entry, sorted.
  std::vector<std::string> RolloutIds() const;
  uint64_t last_sequence() const { return last_sequence_; }
  // Every timeline as text, for comparing two projections.
  std::string Dump() const;

 private:
  void Add(std::string_view rollout_id, const RecordedEvent& record, std::string action,
           std::string detail);
  static std::string Key(std::string_view rollout_id, uint64_t sequence);
  static std::string Encode(const AuditEntry& entry);

  std::unordered_map<std::string, std::vector<AuditEntry>, StringHash, std::equal_to<>> timelines_;
  uint64_t last_sequence_ = 0;
  bool track_ = false;
  std::vector<std::pair<std::string, size_t>> unwritten_;  // rollout id, index
};

}  // namespace rotor::projections
