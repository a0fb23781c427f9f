// FleetModel: the fleet as the projection knows it — every agent ever seen
// with its latest facts, the interned strings (agent ids, fingerprints,
// gateways, sites), the interned inventory sets, the certificates, and what
// is derived from the agents alone: how many live agents hold each
// fingerprint, the stale list, the live agent count (docs/projections.md,
// "Fleet model").
//
// Agents have dense indices in order of first sight (the agent id interned
// once) and a 24-byte record in a flat array. An agent's inventory is one id
// of an interned sorted set of fingerprint ids. Rollouts and their counters
// are FleetRollouts'; the store's bytes are fleet_codec's.
//
// Owns everything it holds. Thread-compatible: const calls may run
// concurrently with each other, not with a mutation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "events/event_types.h"
#include "model/inventory_sets.h"
#include "model/string_interner.h"

namespace rotor::projections {

// An agent's flags (AgentRecord::flags).
enum AgentFlag : uint8_t {
  kReported = 1,  // has reported an inventory
  kStale = 2,
  kRevoked = 4,
  kDeleted = 8,
  kCloud = 16,  // cloud-enabled in its latest report
};
inline constexpr uint8_t kAgentFlags = kReported | kStale | kRevoked | kDeleted | kCloud;

struct AgentRecord {
  int64_t last_report = 0;  // latest report; for an unreported stale agent, the flag's
  uint32_t inventory = 0;   // InventorySets id
  uint32_t gateway = 0;     // interned gateway id
  uint32_t site = 0;        // interned site id
  uint8_t flags = 0;        // AgentFlag bits
};

// A certificate registered, renewed or revoked (by interned fingerprint).
struct CertificateRecord {
  CertificateKind kind = CertificateKind::kUnspecified;
  std::string subject;
  std::string issuer;
  std::string serial_hex;
  int64_t not_before = 0;
  int64_t not_after = 0;
  std::string agent_id;
  bool revoked = false;
  bool registered = false;
};

class FleetModel {
 public:
  FleetModel();

  // Forgets everything (interned id 0 of fingerprints, gateways, sites is "").
  void Clear();
  // Pre-sizes for `agents` agents (optional).
  void Reserve(size_t agents);

  // Agents.
  size_t agent_count() const { return agents_.size(); }
  const AgentRecord& agent(uint32_t a) const { return agents_[a]; }
  std::string_view agent_id(uint32_t a) const { return agent_ids_.Get(a); }
  // The index of `agent_id`; StringInterner::kNotFound when never seen.
  uint32_t FindAgent(std::string_view agent_id) const { return agent_ids_.Find(agent_id); }
  // The index of `agent_id`, adding an agent without facts when it is new.
  uint32_t InternAgent(std::string_view agent_id);
  // Prefetch hint for the agent `agent_id` (see Projection::Prefetch).
  void PrefetchAgent(std::string_view agent_id, bool near) const;
  // Not deleted and has reported: counted in live_agents() and holders().
  static bool Live(const AgentRecord& a) { return (a.flags & (kReported | kDeleted)) == kReported; }
  bool Has(uint32_t a, AgentFlag flag) const { return (agents_[a].flags & flag) != 0; }
  // Whether agent `a`'s latest inventory holds fingerprint `f`.
  bool Holds(uint32_t a, uint32_t f) const { return sets_.Contains(agents_[a].inventory, f); }
  std::span<const uint32_t> Inventory(uint32_t a) const { return sets_.Get(agents_[a].inventory); }

  // Applies `mutate` to agent `a`'s record and moves what is derived from it
  // (holders, live count, stale list) from its old state to its new. With
  // `new_inventory`, mutate stored a set from AcquireInventory and the old
  // one is released. Returns the record as it was.
  template <typename Mutate>
  AgentRecord Change(uint32_t a, bool new_inventory, Mutate&& mutate) {
    const AgentRecord before = agents_[a];
    mutate(agents_[a]);
    AfterChange(a, before, new_inventory);
    return before;
  }
  // One more reference to the set of `fingerprints` (sorted, unique);
  // `hint` is a set id tried first.
  uint32_t AcquireInventory(std::span<const uint32_t> fingerprints, uint32_t hint) {
    return sets_.Acquire(fingerprints, hint);
  }

  // The stale list: flagged, not deleted agents, with the flag's time.
  const std::unordered_map<uint32_t, int64_t>& stale() const { return stale_; }
  // Records when agent `a` (flagged kStale) was flagged.
  void SetFlaggedAt(uint32_t a, int64_t flagged_at) { stale_[a] = flagged_at; }

  // Interned strings; id 0 is "".
  uint32_t InternFingerprint(std::string_view fingerprint);
  uint32_t InternGateway(std::string_view gateway) { return gateways_.Intern(gateway); }
  uint32_t InternSite(std::string_view site) { return sites_.Intern(site); }
  const StringInterner& fingerprints() const { return fingerprints_; }
  const StringInterner& gateways() const { return gateways_; }
  const StringInterner& sites() const { return sites_; }

  // Live agents whose latest inventory holds fingerprint `f`.
  uint32_t holders(uint32_t f) const { return holders_[f]; }
  // Agents not deleted that have reported an inventory.
  uint64_t live_agents() const { return live_agents_; }

  // Certificates by interned fingerprint id.
  const std::unordered_map<uint32_t, CertificateRecord>& certificates() const { return certs_; }
  // The record of fingerprint `f`, created empty when new.
  CertificateRecord& Certificate(uint32_t f) { return certs_[f]; }

  // Loading (fleet_codec.cc): adds the next agent with its record and
  // inventory (sorted fingerprint ids, each < fingerprints().size()) and,
  // when stale, the flag's time. `hint` as in AcquireInventory. Returns its
  // index; StringInterner::kNotFound when `agent_id` is already known.
  uint32_t AddAgent(std::string_view agent_id, AgentRecord record,
                    std::span<const uint32_t> inventory, uint32_t hint, int64_t flagged_at);
  // After loading: recomputes holders and the live count from the agents.
  void RebuildDerived();

  // Recomputes what is derived and compares. Errors: kInternal naming the
  // first mismatch (a bug).
  Status VerifyDerived() const;
  // Approximate heap bytes held.
  size_t MemoryBytes() const;

 private:
  void AfterChange(uint32_t a, const AgentRecord& before, bool new_inventory);

  StringInterner agent_ids_;
  std::vector<AgentRecord> agents_;
  StringInterner fingerprints_;
  StringInterner gateways_;
  StringInterner sites_;
  InventorySets sets_;
  std::vector<uint32_t> holders_;                          // by fingerprint id
  std::unordered_map<uint32_t, CertificateRecord> certs_;  // by fingerprint id
  std::unordered_map<uint32_t, int64_t> stale_;            // agent -> flagged_at
  uint64_t live_agents_ = 0;
};

}  // namespace rotor::projections
