// The fast path of ParseAgentReportJson (events/codec.h): a scanner for the
// plain shape agents and rotorctl send, with no allocation beyond the fields.
//
// ScanPlainAgentReportJson reads `json` into `out` when it is a plain
// AgentReport object: only AgentReport's fields (JSON or proto names), each
// at most once; strings of printable ASCII without escapes; booleans as
// true/false; reportedAt as "YYYY-MM-DDTHH:MM:SS[.1-9 digits]Z" with a valid
// date; JSON whitespace anywhere between tokens. For such input, `out` is the
// message protobuf's JSON parser (JsonStringToMessage, unknown fields
// refused) builds. Anything else (escapes, non-ASCII, null, numbers, offsets,
// unknown or repeated fields, malformed JSON) returns false with `out` in an
// unspecified state: the caller parses with protobuf's parser, which gives
// the answer or the error. tests/events/agent_report_json_test.cc compares
// the two on every shape and on mutated inputs.
//
// Internal to rotor_events (codec.cc); the generated message is only
// declared here, so the header needs no generated include.
//
// Pure function; thread-safe.
#pragma once

#include <string_view>

namespace rotor {

namespace v1 {
class AgentReport;
}  // namespace v1

bool ScanPlainAgentReportJson(std::string_view json, v1::AgentReport* out);

}  // namespace rotor
