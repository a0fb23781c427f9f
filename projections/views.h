// The read models' query results: plain value types a dashboard, the CLI or
// an auditor reads. Produced by FleetProjection and AuditProjection; they
// hold copies, so they stay valid after the projection moves on.
// Value types; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "events/event_types.h"
#include "events/progress_rule.h"

namespace rotor::projections {

// The kinds and the status vocabulary are the progress rule's
// (events/progress_rule.h): one vocabulary for every view and decider.
using ::rotor::RolloutKind;
using ::rotor::RolloutKindName;
using ::rotor::RolloutStatus;
using ::rotor::RolloutStatusName;

// Counted agents of one gateway or site.
struct BreakdownRow {
  std::string key;  // gateway id or site; "" for agents reporting none
  uint64_t total = 0;
  uint64_t received = 0;
  uint64_t outstanding = 0;
  uint64_t stale = 0;
  bool operator==(const BreakdownRow&) const = default;
};

struct PendingGatewayStep {
  std::string gateway_id;
  GatewayRefreshStep step = GatewayRefreshStep::kUnspecified;
  bool operator==(const PendingGatewayStep&) const = default;
};

// A rollout's progress with the article's semantics: `total` counts agents,
// not deleted, whose latest inventory holds the OLD certificate (CEM renewals:
// targeted agents, not deleted, not revoked); `received` those of them that
// also hold the new one. Stale agents stay counted until deleted. The rule is
// events/progress_rule.h. Finalized and cancelled rollouts keep the numbers
// they had at that moment.
struct RolloutProgress {
  std::string rollout_id;
  RolloutKind kind = RolloutKind::kReplacement;
  RolloutStatus status = RolloutStatus::kInitiated;
  CertificateKind certificate_kind = CertificateKind::kUnspecified;
  ReplacementMode mode = ReplacementMode::kUnspecified;
  RenewalTarget renewal_target = RenewalTarget::kUnspecified;
  std::string old_fingerprint;  // renewal: the certificate renewed (may be empty)
  std::string new_fingerprint;  // renewal: empty (each agent gets its own)
  std::string gateway_id;       // gateway renewal: the gateway
  bool staged = false;
  bool bindings_switched = false;
  uint32_t required_staged_permille = 0;
  bool forced = false;

  uint64_t total = 0;
  uint64_t received = 0;
  uint64_t outstanding = 0;
  uint64_t stale = 0;              // of total
  uint64_t stale_outstanding = 0;  // of outstanding
  uint64_t revoked = 0;            // of total
  uint64_t not_counted = 0;        // live agents with an inventory that are not counted
  std::vector<PendingGatewayStep> pending_gateway_steps;
  std::vector<BreakdownRow> by_gateway;  // filled by the breakdown query only
  std::vector<BreakdownRow> by_site;     // filled by the breakdown query only

  // Agents that received the certificate in the hour before `as_of`, and the
  // estimate outstanding / rate. No estimate while nothing was received in
  // that hour or the rollout is not active.
  uint64_t received_last_hour = 0;
  std::optional<int64_t> eta_seconds;

  Time initiated_at;
  std::optional<Time> ended_at;  // finalized or cancelled
  Time as_of;                    // recorded_at of the last event folded
  // "2076 of 2393 agents received the new certificate".
  std::string summary;
  bool operator==(const RolloutProgress&) const = default;
};

struct StaleAgent {
  std::string agent_id;
  Time last_report_at;
  Time flagged_at;
  std::string gateway_id;
  std::string site;
  std::vector<std::string> holds_up;  // active rollouts where it is outstanding
  bool operator==(const StaleAgent&) const = default;
};

struct AgentView {
  std::string agent_id;
  std::vector<std::string> certificates;  // fingerprints of the latest inventory, sorted
  std::optional<Time> last_report_at;
  std::string gateway_id;
  std::string site;
  bool cloud_enabled = false;
  bool stale = false;
  bool revoked = false;
  bool deleted = false;
  bool operator==(const AgentView&) const = default;
};

struct CertificateView {
  std::string fingerprint;
  CertificateKind kind = CertificateKind::kUnspecified;
  std::string subject;
  std::string issuer;
  std::string serial_hex;
  Time not_before;
  Time not_after;
  std::string agent_id;  // cem-agent certificates
  uint64_t holders = 0;  // live agents whose latest inventory holds it
  bool revoked = false;
  bool operator==(const CertificateView&) const = default;
};

struct AuditEntry {
  uint64_t sequence = 0;
  Time recorded_at;
  std::string actor;
  std::string action;  // "replacement initiated", "gateway refresh performed", ...
  std::string detail;
  bool operator==(const AuditEntry&) const = default;
};

}  // namespace rotor::projections
