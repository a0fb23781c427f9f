// FleetProjection: the fleet read models folded from the log — rollout
// progress with the article's semantics, stale agents, agents, and
// certificates. They share one fleet model, so each event is applied once.
//
// Fleet model (docs/projections.md):
//  - agents have dense indices (agent id interned once) and a 24-byte record
//    in a flat array: latest report time, interned inventory set, gateway,
//    site, flags (reported, stale, revoked, deleted, cloud-enabled);
//  - fingerprints, gateways and sites are interned to 32-bit ids; an agent's
//    inventory is one id of an interned sorted set of fingerprint ids;
//  - every rollout keeps counters (total, received, stale, revoked, per
//    gateway, per site) updated from the changed agent's contribution before
//    and after each event, so Progress() never walks the agents.
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
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/inventory_sets.h"
#include "model/string_interner.h"
#include "projections/agent_filter.h"
#include "projections/projection.h"
#include "projections/rollout_state.h"
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
  void Reserve(size_t agents);

  // Rollout progress without the breakdown, in O(1) of the fleet size;
  // nullopt for an unknown rollout.
  std::optional<RolloutProgress> Progress(std::string_view rollout_id) const;
  // Progress with by_gateway and by_site filled (O(gateways + sites)).
  std::optional<RolloutProgress> ProgressWithBreakdown(std::string_view rollout_id) const;
  // Every rollout in the order they were initiated (without breakdowns).
  std::vector<RolloutProgress> Rollouts() const;
  // Flagged, not deleted agents, oldest last report first (ties by agent id).
  std::vector<StaleAgent> StaleAgents() const;
  std::optional<AgentView> Agent(std::string_view agent_id) const;
  // Agents in index order (order of first sight), `limit` from `offset`.
  std::vector<AgentView> Agents(size_t offset, size_t limit) const;
  // Agents matching `filter`, `limit` of them from the `offset`-th match, and
  // how many match in all (O(fleet size); fleet_agent_queries.cc); nullopt
  // when the filter names a rollout that does not exist.
  std::optional<AgentPage> FindAgents(const AgentFilter& filter, size_t offset, size_t limit) const;
  // Registered certificates ordered by expiry, then fingerprint.
  std::vector<CertificateView> Certificates() const;
  // Registered, not revoked certificates expiring at or before now + days.
  std::vector<CertificateView> CertificatesDueForRenewal(Time now, int days) const;

  size_t agent_count() const { return agents_.size(); }
  size_t stale_count() const { return stale_.size(); }
  // Agents not deleted that have reported an inventory.
  uint64_t live_agents() const { return live_agents_; }
  uint64_t last_sequence() const { return last_sequence_; }
  // recorded_at of the latest event folded: the projection's "now".
  Time as_of() const { return TimeFromMicros(latest_micros_); }

  // Recomputes every derived number from the agents and compares. Errors:
  // kInternal naming the first mismatch (a bug).
  Status VerifyCounters() const;
  // The whole logical state as text, for comparing two projections.
  std::string Dump() const;

 private:
  enum AgentFlag : uint8_t {
    kReported = 1,
    kStale = 2,
    kRevoked = 4,
    kDeleted = 8,
    kCloud = 16,
    kDirty = 128,  // changed since the last write; never stored
  };
  struct AgentRecord {
    int64_t last_report = 0;  // latest report; for an unreported stale agent, the flag's
    uint32_t inventory = 0;   // InventorySets id
    uint32_t gateway = 0;     // gateways_ id
    uint32_t site = 0;        // sites_ id
    uint8_t flags = 0;
  };
  struct CertInfo {
    CertificateKind kind = CertificateKind::kUnspecified;
    std::string subject;
    std::string issuer;
    std::string serial_hex;
    int64_t not_before = 0;
    int64_t not_after = 0;
    std::string agent_id;
    bool revoked = false;
    bool registered = false;
    bool dirty = false;
  };

  // Event handlers (fleet_apply.cc).
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
  uint32_t InternFingerprint(std::string_view fingerprint);
  RolloutState* FindRollout(std::string_view rollout_id);
  const RolloutState* FindRollout(std::string_view rollout_id) const;
  uint32_t IndexOf(const RolloutState& rollout) const {
    return static_cast<uint32_t>(&rollout - rollouts_.data());
  }
  // Creates rollout `id`; nullptr when it exists already.
  RolloutState* NewRollout(const RecordedEvent& r, std::string_view id);
  // Counts every agent into `rollout` from zero.
  void Recount(RolloutState& rollout);
  void EndRollout(RolloutState& rollout, const RecordedEvent& r);
  Contribution Contribute(const RolloutState& rollout, uint32_t agent) const;
  // Applies `mutate` to agent `agent` and moves every derived number (rollout
  // counters, holders, stale list, live count) from its old state to its new.
  // `new_inventory`: mutate acquired a set; the old one is released.
  template <typename Mutate>
  void ChangeAgent(uint32_t agent, int64_t at, bool new_inventory, Mutate&& mutate);
  void MarkAgent(uint32_t agent);
  void MarkRollout(uint32_t rollout);
  void MarkCert(uint32_t fingerprint, CertInfo& cert);
  bool Live(const AgentRecord& a) const { return (a.flags & (kReported | kDeleted)) == kReported; }

  // Queries (fleet_queries.cc).
  RolloutProgress MakeProgress(const RolloutState& rollout, bool breakdown) const;
  AgentView MakeAgentView(uint32_t agent) const;
  CertificateView MakeCertView(uint32_t fingerprint, const CertInfo& cert) const;

  // Persistence (fleet_persist.cc).
  void WriteAgent(KvWriter& out, uint32_t agent) const;
  void WriteRollout(KvWriter& out, uint32_t rollout) const;
  void WriteCert(KvWriter& out, uint32_t fingerprint, const CertInfo& cert) const;
  void WriteStrings(KvWriter& out);
  void WriteMeta(KvWriter& out) const;
  // Rebuilds everything derived (sets' references, holders, stale list,
  // active rollouts and their counters) from the loaded records.
  void RebuildDerived();

  StringInterner agent_ids_;
  std::vector<AgentRecord> agents_;
  StringInterner fingerprints_;  // id 0 = ""
  StringInterner gateways_;      // id 0 = ""
  StringInterner sites_;         // id 0 = ""
  InventorySets sets_;
  std::vector<uint32_t> holders_;                 // by fingerprint id
  std::unordered_map<uint32_t, CertInfo> certs_;  // by fingerprint id
  std::unordered_map<uint32_t, int64_t> stale_;   // agent -> flagged_at
  std::vector<RolloutState> rollouts_;
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> rollout_index_;
  std::vector<uint32_t> active_;  // active rollouts, in order of initiation
  uint64_t live_agents_ = 0;
  uint64_t last_sequence_ = 0;
  int64_t latest_micros_ = 0;

  // Scratch buffers reused by Apply, and the last report's fingerprints (a
  // fleet's reports mostly repeat them): their ids and inventory set.
  std::vector<Contribution> before_;
  std::vector<uint32_t> fps_;
  std::vector<std::string> last_fp_texts_;
  std::vector<uint32_t> last_fps_;
  uint32_t last_set_ = 0;

  // Change tracking (when track_).
  bool track_ = false;
  std::vector<uint32_t> dirty_agents_;
  std::vector<uint32_t> dirty_rollouts_;
  std::vector<uint8_t> dirty_rollout_flags_;  // by rollout: 1 when in dirty_rollouts_
  std::vector<uint32_t> dirty_certs_;
  std::vector<std::pair<uint32_t, uint32_t>> dirty_renewed_;  // rollout, agent
  std::vector<uint32_t> dirty_targets_;                       // rollouts
  size_t written_fingerprints_ = 0;
  size_t written_gateways_ = 0;
  size_t written_sites_ = 0;
};

}  // namespace rotor::projections
