// The one place that converts Rotor's plain C++ events (events/event_types.h)
// to and from their protobuf payloads. Thread-safe (pure functions).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "events/event_types.h"
#include "events/record.h"

namespace rotor {

namespace v1 {
class AgentReport;
}  // namespace v1

// Serializes the event's payload message.
std::string EncodePayload(const Event& event);

// Parses a payload of `event_type`. Errors: kInvalidArgument for an unknown
// event type, bytes that do not parse, or an enum value this build does not know.
Result<Event> DecodePayload(std::string_view event_type, std::string_view payload);

// Decodes a recorded event's payload; errors name the sequence number.
Result<Event> DecodeEvent(const RecordedEvent& record);

// Builds the NewEvent to append for `event`.
NewEvent MakeNewEvent(const Event& event, Time recorded_at, std::string actor,
                      std::string correlation_id = {}, std::string causation_id = {});

void ToProto(const AgentReport& report, v1::AgentReport* out);
// Errors: kInvalidArgument naming the field (empty report_id or agent_id,
// a fingerprint that is not 64 lower-case hex digits, a missing reported_at).
Result<AgentReport> FromProto(const v1::AgentReport& report);

// Parses protobuf bytes of rotor.v1.AgentReport and validates it.
Result<AgentReport> ParseAgentReport(std::string_view bytes);
// Parses the protobuf JSON mapping of rotor.v1.AgentReport (unknown fields are
// an error) and validates it.
Result<AgentReport> ParseAgentReportJson(std::string_view json);
// ParseAgentReportJson's answer when `json` has the plain shape of
// events/agent_report_json.h; std::nullopt otherwise (then only
// ParseAgentReportJson answers it).
std::optional<Result<AgentReport>> ParsePlainAgentReportJson(std::string_view json);
std::string SerializeAgentReport(const AgentReport& report);
std::string AgentReportToJson(const AgentReport& report);

}  // namespace rotor
