// JSON renderings of the read models (projections/views.h) and of recorded
// events, exactly as docs/api.md and docs/openapi.yaml describe them. Field
// names are snake_case; times are RFC 3339 UTC strings; fingerprints are
// lower-case hex. Thread-safe (pure functions).
#pragma once

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "events/record.h"
#include "projections/views.h"

namespace rotor::app {

nlohmann::json ToJson(const projections::RolloutProgress& progress);
nlohmann::json ToJson(const projections::StaleAgent& agent);
nlohmann::json ToJson(const projections::AgentView& agent);
nlohmann::json ToJson(const projections::CertificateView& certificate);
nlohmann::json ToJson(const projections::AuditEntry& entry);

// An event: envelope fields plus "payload", the decoded payload in
// protobuf's JSON mapping with the .proto field names. A payload that does
// not decode is rendered as {"undecodable_base64": ...}. "payload_base64"
// holds the stored payload bytes, so an export can re-check the hash chain.
nlohmann::json EventToJson(const RecordedEvent& event);

}  // namespace rotor::app
