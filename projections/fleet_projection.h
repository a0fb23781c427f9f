// FleetProjection: the fleet read models folded from the log — rollout
// progress with the article's semantics, stale agents, agents, and
// certificates. They share one fleet model, so each event is applied once.
//
// The projection is a thin facade over its parts (docs/architecture.md):
//  - FleetModel (fleet_model.h): agents, interned strings, inventory sets,
//    certificates, holders, the stale list;
//  - FleetRollouts (fleet_rollouts.h): every rollout and the counters of the
//    active ones, moved by each changed agent's contribution before and
//    after the event, so Progress() never walks the agents;
//  - the store codec (fleet_codec.h, keys in fleet_keys.h) and FleetChanges,
//    what changed since the last write;
//  - FleetQueries (fleet_queries.h): the read-only views.
// This class folds events into them (fleet_apply.cc, fleet_apply_rollouts.cc)
// and forwards queries.
//
// Semantics: see RolloutProgress (views.h) and docs/projections.md. Reports
// older than (or as old as) an agent's latest are ignored. A newer report
// clears stale and brings a deleted agent back. A deleted agent leaves every
// statistic. A stale flag older than the agent's latest report is ignored.
//
// Thread safety: thread-compatible. Const queries may run concurrently with
// each other, not with Apply (ProjectionRunner holds the lock).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "projections/agent_filter.h"
#include "projections/fleet_codec.h"
#include "projections/fleet_model.h"
#include "projections/fleet_queries.h"
#include "projections/fleet_rollouts.h"
#include "projections/projection.h"
#include "projections/views.h"

namespace rotor::projections {

class FleetProjection final : public Projection {
 public:
  FleetProjection();

  std::string_view name() const override { return "fleet"; }
  void Apply(const RecordedEvent& record, const Event& event) override;
  void Prefetch(const Event& event, bool near) const override;
  void Clear() override;
  void set_track_changes(bool on) override { track_ = on; }
  void WriteChanges(KvWriter& out) override;
  void WriteAll(KvWriter& out) override;
  Status Load(const KvReader& in) override;
  size_t MemoryBytes() const override;

  // Pre-sizes for `agents` agents (optional).
  void Reserve(size_t agents) { model_.Reserve(agents); }

  // Queries: see FleetQueries (fleet_queries.h).
  FleetQueries queries() const { return {model_, rollouts_, meta_.latest_micros}; }
  std::optional<RolloutProgress> Progress(std::string_view rollout_id) const {
    return queries().Progress(rollout_id, false);
  }
  std::optional<RolloutProgress> ProgressWithBreakdown(std::string_view rollout_id) const {
    return queries().Progress(rollout_id, true);
  }
  std::vector<RolloutProgress> Rollouts() const { return queries().Rollouts(); }
  std::vector<StaleAgent> StaleAgents() const { return queries().StaleAgents(); }
  std::optional<AgentView> Agent(std::string_view agent_id) const {
    return queries().Agent(agent_id);
  }
  std::vector<AgentView> Agents(size_t offset, size_t limit) const {
    return queries().Agents(offset, limit);
  }
  std::optional<AgentPage> FindAgents(const AgentFilter& filter, size_t offset,
                                      size_t limit) const {
    return queries().FindAgents(filter, offset, limit);
  }
  std::vector<CertificateView> Certificates() const { return queries().Certificates(); }
  std::vector<CertificateView> CertificatesDueForRenewal(Time now, int days) const {
    return queries().CertificatesDueForRenewal(now, days);
  }

  size_t agent_count() const { return model_.agent_count(); }
  size_t stale_count() const { return model_.stale().size(); }
  // Agents not deleted that have reported an inventory.
  uint64_t live_agents() const { return model_.live_agents(); }
  uint64_t last_sequence() const { return meta_.last_sequence; }
  // recorded_at of the latest event folded: the projection's "now".
  Time as_of() const { return TimeFromMicros(meta_.latest_micros); }

  // Recomputes every derived number from the agents and compares. Errors:
  // kInternal naming the first mismatch (a bug).
  Status VerifyCounters() const;
  // The whole logical state as text, for comparing two projections.
  std::string Dump() const { return queries().Dump(meta_.last_sequence); }

 private:
  // Event handlers (fleet_apply.cc: agents and certificates;
  // fleet_apply_rollouts.cc: rollout lifecycles).
  void On(const RecordedEvent& r, const CertificateRegistered& e);
  void On(const RecordedEvent& r, const ReplacementInitiated& e);
  void On(const RecordedEvent& r, const CertificateStaged& e);
  void On(const RecordedEvent& r, const BindingsSwitched& e);
  void On(const RecordedEvent& r, const ReplacementCancelled& e);
  void On(const RecordedEvent& r, const ReplacementFinalized& e);
  void On(const RecordedEvent& r, const RenewalInitiated& e);
  void On(const RecordedEvent& r, const AgentCertificateRenewed& e);
  void On(const RecordedEvent& r, const CertificateRevoked& e);
  void On(const RecordedEvent& r, const GatewayRefreshRequired& e);
  void On(const RecordedEvent& r, const GatewayRefreshPerformed& e);
  void On(const RecordedEvent& r, const AgentInventoryReported& e);
  void On(const RecordedEvent& r, const AgentFlaggedStale& e);
  void On(const RecordedEvent& r, const AgentStaleCleared& e);
  void On(const RecordedEvent& r, const AgentResourceDeleted& e);
  void On(const RecordedEvent&, const GatewayAutoRefreshChanged&) {}
  void On(const RecordedEvent&, const AgentReportRejected&) {}
  void On(const RecordedEvent&, const CommandRefused&) {}

  uint32_t InternAgent(std::string_view agent_id);
  // Applies `mutate` to agent `agent`'s record and moves every derived
  // number (rollout counters, holders, stale list, live count) from its old
  // state to its new; `at` is the event's recorded_at (receipts).
  // `new_inventory`: mutate acquired a set; the old one is released.
  template <typename Mutate>
  void ChangeAgent(uint32_t agent, int64_t at, bool new_inventory, Mutate&& mutate);
  // The active rollout `rollout_id` (kNotFound when unknown or ended).
  uint32_t FindActive(std::string_view rollout_id) const;
  void MarkRollout(uint32_t rollout) {
    if (track_) changes_.MarkRollout(rollout);
  }
  void MarkCertificate(uint32_t fingerprint) {
    if (track_) changes_.MarkCertificate(fingerprint);
  }
  void EndRollout(uint32_t rollout, const RecordedEvent& r);

  FleetModel model_;
  FleetRollouts rollouts_;
  FleetMeta meta_;

  // The last report's fingerprints (a fleet's reports mostly repeat them):
  // their ids and inventory set.
  std::vector<std::string> last_fp_texts_;
  std::vector<uint32_t> last_fps_;
  uint32_t last_set_ = 0;

  bool track_ = false;
  FleetChanges changes_;  // when track_
};

}  // namespace rotor::projections
