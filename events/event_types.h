// Rotor's domain events as plain C++ types. Deciders, Evolve functions and
// projections work on these; events/codec.h converts them to and from the
// protobuf payloads in events/proto/rotor/v1/events.proto. Names are facts in
// the past tense. Value types; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/time.h"
#include "events/certificate.h"

namespace rotor {

enum class CertificateKind : uint8_t {
  kUnspecified = 0,
  kServerWeb = 1,
  kCemRoot = 2,
  kCemAgent = 3,
  kGatewayReporting = 4,
};

enum class ReplacementMode : uint8_t { kUnspecified = 0, kDirect = 1, kPreStaged = 2 };

enum class GatewayRefreshStep : uint8_t {
  kUnspecified = 0,
  kAfterInitiate = 1,
  kAfterFinalize = 2
};

enum class RenewalTarget : uint8_t {
  kUnspecified = 0,
  kCemAgentCertificates = 1,
  kGatewayReportingCertificate = 2,
};

// "server-web", "cem-root", "cem-agent", "gateway-reporting".
std::string_view CertificateKindName(CertificateKind kind);
// Inverse of CertificateKindName; kUnspecified for unknown text.
CertificateKind CertificateKindFromName(std::string_view name);
std::string_view ReplacementModeName(ReplacementMode mode);
std::string_view GatewayRefreshStepName(GatewayRefreshStep step);
std::string_view RenewalTargetName(RenewalTarget target);

// The certificate's facts and DER encoding (events/certificate.h), its kind
// and, for a cem-agent certificate, its agent.
struct CertificateRegistered : CertificateInfo {
  CertificateKind kind = CertificateKind::kUnspecified;
  std::string agent_id;
  bool operator==(const CertificateRegistered&) const = default;
};

struct ReplacementInitiated {
  std::string rollout_id;
  std::string old_fingerprint;
  std::string new_fingerprint;
  CertificateKind kind = CertificateKind::kUnspecified;
  ReplacementMode mode = ReplacementMode::kUnspecified;
  uint32_t required_staged_permille = 0;
  bool operator==(const ReplacementInitiated&) const = default;
};

struct CertificateStaged {
  std::string rollout_id;
  std::string fingerprint;
  std::string communication_profile;
  bool operator==(const CertificateStaged&) const = default;
};

struct BindingsSwitched {
  std::string rollout_id;
  uint64_t staged_agents = 0;
  uint64_t counted_agents = 0;
  bool operator==(const BindingsSwitched&) const = default;
};

struct ReplacementCancelled {
  std::string rollout_id;
  std::string reason;
  bool operator==(const ReplacementCancelled&) const = default;
};

struct ReplacementFinalized {
  std::string rollout_id;
  uint64_t received = 0;
  uint64_t total = 0;
  bool forced = false;
  std::string reason;
  std::vector<std::string> outstanding_agent_ids;
  uint64_t stale_outstanding = 0;
  bool operator==(const ReplacementFinalized&) const = default;
};

struct RenewalInitiated {
  std::string rollout_id;
  RenewalTarget target = RenewalTarget::kUnspecified;
  std::string fingerprint;
  std::vector<std::string> agent_ids;
  std::string gateway_id;
  bool operator==(const RenewalInitiated&) const = default;
};

struct AgentCertificateRenewed {
  std::string rollout_id;
  std::string agent_id;
  std::string old_fingerprint;
  std::string new_fingerprint;
  std::string serial_hex;
  Time not_after;
  bool issued_by_rotor = false;
  std::string der;
  bool operator==(const AgentCertificateRenewed&) const = default;
};

struct CertificateRevoked {
  std::string agent_id;
  std::string fingerprint;
  uint32_t reason_code = 0;
  std::string serial_hex;
  Time revoked_at;
  bool operator==(const CertificateRevoked&) const = default;
};

struct GatewayAutoRefreshChanged {
  std::string gateway_id;
  bool auto_refresh = false;
  bool operator==(const GatewayAutoRefreshChanged&) const = default;
};

struct GatewayRefreshRequired {
  std::string gateway_id;
  std::string rollout_id;
  GatewayRefreshStep step = GatewayRefreshStep::kUnspecified;
  bool operator==(const GatewayRefreshRequired&) const = default;
};

struct GatewayRefreshPerformed {
  std::string gateway_id;
  std::string rollout_id;
  GatewayRefreshStep step = GatewayRefreshStep::kUnspecified;
  Time performed_at;
  std::string performed_by;
  bool operator==(const GatewayRefreshPerformed&) const = default;
};

struct AgentInventoryReported {
  std::string report_id;
  std::string agent_id;
  Time reported_at;
  std::vector<std::string> certificate_fingerprints;
  std::string gateway_id;
  std::string site;
  bool cloud_enabled = false;
  // The agent's latest report was dated beyond the server's clock plus the
  // allowed skew: this report replaces it although it is dated earlier.
  bool supersedes_future_report = false;
  bool operator==(const AgentInventoryReported&) const = default;
};

struct AgentReportRejected {
  std::string report_id;
  std::string agent_id;
  Time reported_at;
  std::string reason;
  bool operator==(const AgentReportRejected&) const = default;
};

struct AgentFlaggedStale {
  std::string agent_id;
  Time last_report_at;
  Time flagged_at;
  uint64_t threshold_seconds = 0;
  bool operator==(const AgentFlaggedStale&) const = default;
};

struct AgentStaleCleared {
  std::string agent_id;
  std::string report_id;
  Time reported_at;
  bool operator==(const AgentStaleCleared&) const = default;
};

struct AgentResourceDeleted {
  std::string agent_id;
  std::string reason;
  bool operator==(const AgentResourceDeleted&) const = default;
};

// A lifecycle command refused by the domain's rules (see events.proto).
struct CommandRefused {
  std::string command;     // e.g. "FinalizeReplacement"
  std::string rollout_id;  // the target rollout, if any
  std::string agent_id;    // the target agent (revoke, delete), if any
  std::string reason;
  bool operator==(const CommandRefused&) const = default;
};

using Event =
    std::variant<CertificateRegistered, ReplacementInitiated, CertificateStaged, BindingsSwitched,
                 ReplacementCancelled, ReplacementFinalized, RenewalInitiated,
                 AgentCertificateRenewed, CertificateRevoked, GatewayAutoRefreshChanged,
                 GatewayRefreshRequired, GatewayRefreshPerformed, AgentInventoryReported,
                 AgentReportRejected, AgentFlaggedStale, AgentStaleCleared, AgentResourceDeleted,
                 CommandRefused>;

// The protobuf full name of the event's payload, e.g. "rotor.v1.ReplacementInitiated".
std::string_view EventTypeName(const Event& event);
// The variant index of the event type named `type_name`; -1 when unknown.
int EventIndexFromTypeName(std::string_view type_name);

// The agent report as plain C++ (see agent_report.proto).
struct AgentReport {
  std::string report_id;
  std::string agent_id;
  Time reported_at;
  std::vector<std::string> certificate_fingerprints;
  std::string gateway_id;
  std::string site;
  bool cloud_enabled = false;
  bool operator==(const AgentReport&) const = default;
};

}  // namespace rotor
