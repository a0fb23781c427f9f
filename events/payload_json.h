// An event payload in protobuf's JSON mapping, and back: the audit views
// (GET /v1/events) show a stored payload as JSON, and `rotorctl export`
// turns that JSON back into the stored bytes. Part of the codec, so that no
// caller needs the generated protobuf code. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace rotor {

// The payload of `event_type` (a protobuf full name, e.g.
// "rotor.v1.ReplacementInitiated") as JSON with the .proto field names and
// every field printed, defaults included. Errors: kInvalidArgument for an
// event type this build does not know or bytes that do not parse as it.
Result<std::string> PayloadToJson(std::string_view event_type, std::string_view payload);

// The payload bytes of `event_type` that `json` (protobuf's JSON mapping)
// describes. Errors: kInvalidArgument naming an unknown event type, or what
// protobuf's JSON parser refused.
Result<std::string> PayloadFromJson(std::string_view event_type, std::string_view json);

}  // namespace rotor
