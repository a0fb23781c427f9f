// Stream names of the rollout domain. Each event belongs to one stream, so
// the events of one logical change append atomically with one expected
// version:
//   certificate-<fingerprint>  CertificateRegistered
//   rollout-<rollout id>       ReplacementInitiated, CertificateStaged,
//                              BindingsSwitched, ReplacementCancelled,
//                              ReplacementFinalized, RenewalInitiated,
//                              GatewayRefreshRequired, GatewayRefreshPerformed,
//                              CommandRefused (with a rollout id)
//   agent-<agent id>           AgentInventoryReported, AgentReportRejected,
//                              AgentFlaggedStale, AgentStaleCleared,
//                              AgentResourceDeleted, CertificateRevoked,
//                              AgentCertificateRenewed, CommandRefused (else)
//   gateway-<gateway id>       GatewayAutoRefreshChanged
// Thread-safe (pure functions).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "events/event_types.h"

namespace rotor::domain {

std::string CertificateStream(std::string_view fingerprint);
std::string RolloutStream(std::string_view rollout_id);
std::string AgentStream(std::string_view agent_id);
std::string GatewayStream(std::string_view gateway_id);
// The agent id of an agent stream (`agent-<id>`); nullopt for other streams.
std::optional<std::string_view> AgentOfStream(std::string_view stream_id);

// The stream `event` is appended to (see the table above).
std::string StreamFor(const Event& event);

// Idempotency keys. "report:<report id>" makes at-least-once report delivery
// effectively-once in the log. "replacement:<old fp>:<n>" claims the n-th
// replacement of a certificate, so two initiations racing on different
// rollout streams cannot both start an active replacement of it.
std::string ReportIdempotencyKey(std::string_view report_id);
std::string ReplacementClaimKey(std::string_view old_fingerprint, uint32_t ordinal);

}  // namespace rotor::domain
