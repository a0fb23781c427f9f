// DomainState: everything the deciders need, folded by Evolve() from every
// event of the log: certificates by fingerprint, rollouts by id with their
// phase and gateway steps, agents with their latest inventory, gateways with
// their auto-refresh setting, and each stream's current version (so the
// command service can append with an exact expected version).
//
// Memory: fingerprints are interned (FingerprintTable) so an agent's inventory
// is a sorted vector of 32-bit ids; certificate DER bytes are not kept. About
// 200 bytes per agent, so 100k agents fit in tens of megabytes.
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

#include "events/event_types.h"
#include "events/progress_rule.h"
#include "events/time.h"

namespace rotor::domain {

using FingerprintId = uint32_t;
inline constexpr FingerprintId kNoFingerprint = std::numeric_limits<FingerprintId>::max();

// Maps fingerprints to dense ids and back. Ids are never reused.
class FingerprintTable {
 public:
  // Returns the id of `fingerprint`, assigning the next one when new.
  FingerprintId Intern(std::string_view fingerprint);
  // Returns the id of `fingerprint`, or kNoFingerprint when it was never interned.
  FingerprintId Find(std::string_view fingerprint) const;
  // The fingerprint of `id`; `id` must come from Intern().
  const std::string& Text(FingerprintId id) const { return texts_[id]; }
  size_t Size() const { return texts_.size(); }

 private:
  std::unordered_map<std::string, FingerprintId> ids_;
  std::vector<std::string> texts_;
};

struct CertificateState {
  std::string fingerprint;
  CertificateKind kind = CertificateKind::kUnspecified;
  std::string subject;
  std::string issuer;
  std::string serial_hex;
  Time not_before;
  Time not_after;
  std::string key_algorithm;
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
  std::string renewed_fingerprint;     // gateway renewal: the certificate renewed
  std::vector<std::string> agent_ids;  // sorted; empty = every cloud-enabled agent
  std::string gateway_id;
  // Both.
  std::vector<GatewayStep> gateway_steps;

  // True when a step of `step` kind has not been performed (cancelled rollouts have none).
  bool HasPendingStep(GatewayRefreshStep step) const;
  // The gateways of pending `step` steps, in the order they were required.
  std::vector<std::string> PendingGateways(GatewayRefreshStep step) const;
};

struct AgentState {
  std::vector<FingerprintId> inventory;  // sorted, from the latest report
  bool has_report = false;
  Time last_report_at;
  Time last_report_recorded_at;  // the server's time when the latest report was recorded
  std::string last_report_id;
  std::string gateway_id;
  std::string site;
  bool cloud_enabled = false;
  bool stale = false;
  bool deleted = false;
  bool revoked = false;
  uint32_t revoke_reason = 0;
  Time revoked_at;
  std::string cem_fingerprint;  // the agent's current CEM certificate, when known
  std::string cem_serial_hex;
  std::vector<std::string> rejected_report_ids;  // revoked agents, future-dated reports
  std::vector<std::pair<std::string, FingerprintId>> renewals;  // rollout id -> renewed cert

  bool Holds(FingerprintId id) const;
  // The certificate recorded for this agent by renewal `rollout_id`; kNoFingerprint if none.
  FingerprintId RenewedIn(std::string_view rollout_id) const;
};

struct GatewayState {
  bool auto_refresh = false;      // the article's default: not enabled
  bool setting_recorded = false;  // a GatewayAutoRefreshChanged was seen
};

struct DomainState {
  uint64_t last_sequence = 0;  // the last event folded in
  FingerprintTable fingerprints;
  std::map<std::string, CertificateState, std::less<>> certificates;
  std::map<std::string, RolloutState, std::less<>> rollouts;
  std::map<std::string, AgentState, std::less<>> agents;
  std::map<std::string, GatewayState, std::less<>> gateways;
  std::unordered_map<std::string, uint64_t> stream_versions;

  // The stream's current version; 0 when it has no events.
  uint64_t StreamVersion(std::string_view stream_id) const;
  // nullptr when absent.
  const CertificateState* FindCertificate(std::string_view fingerprint) const;
  const RolloutState* FindRollout(std::string_view rollout_id) const;
  const AgentState* FindAgent(std::string_view agent_id) const;
  const GatewayState* FindGateway(std::string_view gateway_id) const;
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
