// The commands of Rotor's rollout domain, one plain struct per operation of
// the certificate management article. Names are imperative; the events they
// produce (events/event_types.h) are facts in the past tense. Every command
// carries its own time (`now`) and who issued it (`actor`): nothing in the
// domain reads a clock. See decide.h for the rules of each command.
// Value types; thread-compatible.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "base/time.h"
#include "events/certificate.h"
#include "events/event_types.h"

namespace rotor::domain {

// A new certificate must stay valid at least this long after initiation.
inline constexpr Micros kDefaultMinValidity = std::chrono::hours(24 * 30);
// Pre-staged mode: by default every counted agent must hold the new certificate.
inline constexpr uint32_t kAllAgentsPermille = 1000;

// Records a parsed certificate (services/pki/ParseCertificate) of a kind.
struct RegisterCertificate {
  CertificateInfo certificate;
  CertificateKind kind = CertificateKind::kUnspecified;
  std::string agent_id;  // cem-agent certificates: the agent it was issued to, when known
  std::string actor;
  Time now;
};

// Reports dated further ahead of the server's clock are rejected (rotord
// --max-clock-skew).
inline constexpr Micros kDefaultMaxClockSkew = std::chrono::minutes(5);

// Records an agent's inventory. `actor` is the authenticated principal that
// delivered the report (an agent's own credential, an ingest principal such
// as the Kafka consumer, or an operator), never a name from the report.
struct IngestAgentReport {
  AgentReport report;
  Time now;
  std::string actor;
  // A report dated after now + max_clock_skew is rejected; an agent's latest
  // report dated after it is not trusted for ordering (decide.h).
  Micros max_clock_skew = kDefaultMaxClockSkew;
};

// Starts replacing `old_fingerprint` by `new_fingerprint`.
struct InitiateReplacement {
  std::string rollout_id;
  std::string old_fingerprint;
  std::string new_fingerprint;
  ReplacementMode mode = ReplacementMode::kDirect;
  // Pre-staged mode: share of counted agents (1..1000) that must hold the
  // staged certificate before the bindings may switch.
  uint32_t required_staged_permille = kAllAgentsPermille;
  Micros min_validity = kDefaultMinValidity;
  std::string actor;
  Time now;
};

// Pre-staged mode: adds the new certificate to an agent communication profile.
struct StageCertificate {
  std::string rollout_id;
  std::string communication_profile;
  std::string actor;
  Time now;
};

// Pre-staged mode: switches the server's bindings to the new certificate.
struct SwitchBindings {
  std::string rollout_id;
  std::string actor;
  Time now;
};

// Puts the new certificate in use. `force` (with a `reason`) finalizes even
// though some counted agents have not received it.
struct FinalizeReplacement {
  std::string rollout_id;
  bool force = false;
  std::string reason;
  std::string actor;
  Time now;
};

// Stops a replacement that is not final; the old certificate stays in use.
struct CancelReplacement {
  std::string rollout_id;
  std::string reason;
  std::string actor;
  Time now;
};

struct SetGatewayAutoRefresh {
  std::string gateway_id;
  bool auto_refresh = false;
  std::string actor;
  Time now;
};

// Records a manual refresh of a gateway. With a rollout id it satisfies that
// rollout's pending step; with an empty one, every pending step of the gateway.
struct RefreshGateway {
  std::string gateway_id;
  std::string rollout_id;
  std::string actor;
  Time now;
};

// Starts renewing CEM agent certificates: of `agent_ids`, or of every
// cloud-enabled agent when the list is empty.
struct RenewCemAgentCertificates {
  std::string rollout_id;
  std::vector<std::string> agent_ids;
  std::string actor;
  Time now;
};

// Starts renewing a gateway's reporting certificate (`fingerprint`, the
// current one, is optional; when given it must be registered).
struct RenewGatewayReportingCertificate {
  std::string rollout_id;
  std::string gateway_id;
  std::string fingerprint;
  std::string actor;
  Time now;
};

// Records the certificate issued to an agent by a CEM agent renewal.
struct RecordRenewedCertificate {
  std::string rollout_id;
  std::string agent_id;
  std::string old_fingerprint;  // optional
  std::string new_fingerprint;
  std::string serial_hex;
  Time not_after;
  bool issued_by_rotor = false;
  std::string der;  // optional; when given its SHA-256 must be new_fingerprint
  std::string actor;
  Time now;
};

// Revokes an agent's CEM certificate. `reason_code` is an RFC 5280 CRLReason:
// 0..10 except 7 (unassigned) and 8 (removeFromCRL: delta CRLs only).
struct RevokeAgentCertificate {
  std::string agent_id;
  uint32_t reason_code = 0;
  std::string actor;
  Time now;
};

// Flags every agent counted in an active rollout whose latest report is older
// than `now - threshold`.
struct FlagStaleAgents {
  Micros threshold{0};
  std::string actor = "system:sweeper";
  Time now;
};

// Deletes an agent's resource: it leaves every statistic.
struct DeleteAgentResource {
  std::string agent_id;
  std::string reason;
  std::string actor;
  Time now;
};

using Command =
    std::variant<RegisterCertificate, IngestAgentReport, InitiateReplacement, StageCertificate,
                 SwitchBindings, FinalizeReplacement, CancelReplacement, SetGatewayAutoRefresh,
                 RefreshGateway, RenewCemAgentCertificates, RenewGatewayReportingCertificate,
                 RecordRenewedCertificate, RevokeAgentCertificate, FlagStaleAgents,
                 DeleteAgentResource>;

// The command's name, e.g. "InitiateReplacement" (for logs and errors).
std::string_view CommandName(const Command& command);

}  // namespace rotor::domain
