// DomainState: everything the deciders need, folded by Evolve() from every
// event of the log: certificates by fingerprint, rollouts by id with their
// phase and gateway steps, agents with their latest inventory, gateways with
// their auto-refresh setting, and each stream's current version (so the
// command service can append with an exact expected version).
//
// Memory: agents are fixed-size records indexed by an interned agent id;
// fingerprints, gateway ids and sites are interned and inventories are shared
// interned sets (model/), so an agent costs its 40-byte record and its
// interned id (about 60 bytes in all); certificate DER bytes are not kept.
// Rollouts keep their progress counters and a bitmap of
// outstanding agents incrementally, so no decision walks the fleet except a
// rollout's initiation (once) and the stale sweep.
//
// Value type; thread-compatible. Evolve mutates in place and performs no I/O.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/time.h"
#include "events/event_types.h"
#include "events/progress_rule.h"
#include "model/inventory_sets.h"
#include "model/string_interner.h"

namespace rotor::domain {

using FingerprintId = uint32_t;
inline constexpr FingerprintId kNoFingerprint = StringInterner::kNotFound;
using NameId = uint32_t;  // an interned gateway id or site (DomainState::names)
inline constexpr NameId kNoName = StringInterner::kNotFound;

// A registered certificate: its facts (events/certificate.h; the DER bytes
// stay in the log) and what the deciders track of it.
struct CertificateState : CertificateFacts {
  CertificateKind kind = CertificateKind::kUnspecified;
  std::string agent_id;
  std::string active_rollout_id;       // the active replacement of this certificate
  std::string replaced_by_rollout_id;  // the finalized replacement that retired it
  uint32_t replacements_initiated = 0;
};

// A manual gateway refresh a rollout requires (auto-refresh off).
struct GatewayStep {
  std::string gateway_id;
  GatewayRefreshStep step = GatewayRefreshStep::kUnspecified;
  bool performed = false;
  Time performed_at;
  std::string performed_by;
};

enum class RolloutPhase : uint8_t { kActive, kFinalized, kCancelled };

struct RolloutState {
  std::string id;
  RolloutKind type = RolloutKind::kReplacement;
  RolloutPhase phase = RolloutPhase::kActive;
  Time initiated_at;
  std::string initiated_by;
  // Replacement.
  std::string old_fingerprint;
  std::string new_fingerprint;
  CertificateKind kind = CertificateKind::kUnspecified;
  ReplacementMode mode = ReplacementMode::kUnspecified;
  uint32_t required_staged_permille = 0;
  std::vector<std::string> staged_profiles;
  bool bindings_switched = false;
  // Renewal.
  RenewalTarget target = RenewalTarget::kUnspecified;
  std::string renewed_fingerprint;                      // gateway renewal: the certificate renewed
  std::vector<std::string> agent_ids;                   // sorted; empty = every cloud-enabled agent
  std::vector<uint32_t> targets;                        // agent_ids' agent indices, sorted
  std::unordered_map<uint32_t, FingerprintId> renewed;  // agent index -> certificate recorded
  std::string gateway_id;
  // Both.
  std::vector<GatewayStep> gateway_steps;

  // Progress, kept incrementally while `tracked` (an active rollout that
  // counts agents): Evolve subtracts an agent's contribution before a change
  // and adds it after (events/progress_rule.h), so no request walks the fleet.
  bool tracked = false;
  ProgressCounters counters;          // not_counted included
  std::vector<uint64_t> outstanding;  // bit per agent index: counted and not received

  // True when a step of `step` kind has not been performed (cancelled rollouts have none).
  bool HasPendingStep(GatewayRefreshStep step) const;
  // The gateways of pending `step` steps, in the order they were required.
  std::vector<std::string> PendingGateways(GatewayRefreshStep step) const;
  // True when agent `index`'s bit is set in `outstanding`.
  bool IsOutstanding(uint32_t index) const;
};

// One agent, fixed size (the fleet's bulk: 40 bytes an agent). Strings are
// interned in DomainState; rarer facts (revocation, CEM serial, rejected
// report ids) live in DomainState's side tables. The flags share a word with
// the stream's version.
struct AgentState {
  // The largest stream version an agent record holds (2^56 - 1: far beyond
  // any agent's stream).
  static constexpr uint64_t kMaxStreamVersion = (uint64_t{1} << 56) - 1;

  Time last_report_at;
  Time last_report_recorded_at;      // the server's time when the latest report was recorded
  uint64_t stream_version : 56 = 0;  // of the agent's stream (agent-<id>)
  bool known : 1 = false;  // an event about the agent was folded (not only its stream's version)
  bool has_report : 1 = false;
  bool cloud_enabled : 1 = false;
  bool stale : 1 = false;
  bool deleted : 1 = false;
  bool revoked : 1 = false;
  uint32_t inventory = 0;  // DomainState::inventories set id, from the latest report
  NameId gateway = kNoName;
  NameId site = kNoName;
  FingerprintId cem_fingerprint = kNoFingerprint;  // the agent's current CEM certificate
};
static_assert(sizeof(AgentState) == 40, "an agent record is 40 bytes (the fleet's bulk)");

struct Revocation {
  uint32_t reason = 0;
  Time revoked_at;
};

struct GatewayState {
  bool auto_refresh = false;      // the article's default: not enabled
  bool setting_recorded = false;  // a GatewayAutoRefreshChanged was seen
};

// Which chunks of agents (agent index / chunk size) changed while a snapshot
// is encoded in pieces (StateEncoder, state_encoder.h): a bit per chunk, set
// by Evolve for every agent it reaches (its record or its side tables). Not
// a fact of the state: never encoded or compared. Marking is off (and costs a
// branch) unless Start was called.
class ChangedChunks {
 public:
  // Starts marking, with chunks of `chunk_agents` (> 0) agents; clears every mark.
  void Start(uint32_t chunk_agents) {
    chunk_agents_ = chunk_agents;
    bits_.clear();
  }
  // Stops marking and frees the marks.
  void Stop() {
    chunk_agents_ = 0;
    bits_ = {};
  }
  bool active() const { return chunk_agents_ != 0; }
  void Mark(uint32_t agent) {
    if (chunk_agents_ != 0) Set(agent / chunk_agents_);
  }
  // True when `chunk` was marked since the last Take of it; clears its mark.
  bool Take(size_t chunk) {
    if (chunk / 64 >= bits_.size()) return false;
    uint64_t bit = uint64_t{1} << (chunk % 64);
    bool marked = (bits_[chunk / 64] & bit) != 0;
    bits_[chunk / 64] &= ~bit;
    return marked;
  }
  // The marked chunks.
  size_t Count() const {
    size_t n = 0;
    for (uint64_t word : bits_) n += static_cast<size_t>(__builtin_popcountll(word));
    return n;
  }

 private:
  void Set(size_t chunk) {
    if (chunk / 64 >= bits_.size()) bits_.resize(chunk / 64 + 1, 0);
    bits_[chunk / 64] |= uint64_t{1} << (chunk % 64);
  }

  uint32_t chunk_agents_ = 0;  // 0: not marking
  std::vector<uint64_t> bits_;
};

// Rejected report ids remembered per agent for the deciders' repeat check;
// older repeats are caught by the log's idempotency keys (command_service.h).
inline constexpr size_t kRememberedRejections = 8;

struct DomainState {
  uint64_t last_sequence = 0;  // the last event folded in
  StringInterner fingerprints;
  StringInterner names;            // gateway ids and sites
  InventorySets inventories;       // agents' inventories (sets of fingerprint ids)
  StringInterner agent_ids;        // agent index -> id
  std::vector<AgentState> agents;  // by agent index
  std::unordered_map<uint32_t, Revocation> revocations;   // agent index ->
  std::unordered_map<uint32_t, std::string> cem_serials;  // agent index -> CEM serial (hex)
  std::unordered_map<uint32_t, std::vector<std::string>> rejected_reports;  // index -> ids
  std::map<std::string, CertificateState, std::less<>> certificates;
  std::map<std::string, RolloutState, std::less<>> rollouts;
  std::map<std::string, GatewayState, std::less<>> gateways;
  // Versions of the streams that are not agent streams (agents keep their own).
  std::unordered_map<std::string, uint64_t, StringHash, std::equal_to<>> stream_versions;
  std::vector<std::string> tracked_rollouts;  // ids of the rollouts with `tracked`
  ChangedChunks changed;  // the piecewise snapshot encoder's bookkeeping (not a fact)

  // The stream's current version; 0 when it has no events.
  uint64_t StreamVersion(std::string_view stream_id) const;
  // nullptr when absent (an agent: no event about it was folded).
  const CertificateState* FindCertificate(std::string_view fingerprint) const;
  const RolloutState* FindRollout(std::string_view rollout_id) const;
  const AgentState* FindAgent(std::string_view agent_id) const;
  const GatewayState* FindGateway(std::string_view gateway_id) const;

  // About an agent of `agents`.
  uint32_t IndexOf(const AgentState& agent) const {
    return static_cast<uint32_t>(&agent - agents.data());
  }
  std::string_view IdOf(const AgentState& agent) const { return agent_ids.Get(IndexOf(agent)); }
  // True when the agent's latest inventory holds `fingerprint` (kNoFingerprint: false).
  bool Holds(const AgentState& agent, FingerprintId fingerprint) const;
  bool HoldsText(const AgentState& agent, std::string_view fingerprint) const;
  std::string_view GatewayOf(const AgentState& agent) const { return Name(agent.gateway); }
  std::string_view SiteOf(const AgentState& agent) const { return Name(agent.site); }
  std::string_view CemFingerprintOf(const AgentState& agent) const;
  std::string_view CemSerialOf(const AgentState& agent) const;
  // The agent's revocation; nullptr unless revoked.
  const Revocation* RevocationOf(const AgentState& agent) const;
  // The certificate renewal `rollout` recorded for the agent; kNoFingerprint if none.
  FingerprintId RenewedIn(const RolloutState& rollout, const AgentState& agent) const;
  // The name of `id`; "" for kNoName.
  std::string_view Name(NameId id) const;

  // Calls f(id, agent) for every known agent, in order of first sight.
  template <typename F>
  void ForEachAgent(F&& f) const {
    for (uint32_t i = 0; i < agents.size(); ++i) {
      if (agents[i].known) f(agent_ids.Get(i), agents[i]);
    }
  }
};

// Where an event sits in the log. The views must outlive the Evolve call.
struct EventMeta {
  uint64_t sequence = 0;
  std::string_view stream_id;
  uint64_t stream_version = 0;
  Time recorded_at;
  std::string_view actor;
};

// Folds one event into `state`: records the stream's version and the
// sequence, then applies the fact. Events about unknown entities (a log written
// by other tools) are applied as far as they make sense and never fail.
void Evolve(DomainState& state, const EventMeta& meta, const Event& event);

}  // namespace rotor::domain
