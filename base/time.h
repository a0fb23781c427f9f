// Time in Rotor: microseconds since the Unix epoch, UTC. The domain never
// reads a clock; time arrives in commands. Thread-safe (pure functions).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace rotor {

using Micros = std::chrono::microseconds;
using Time = std::chrono::sys_time<Micros>;

inline Time TimeFromMicros(int64_t us) { return Time(Micros(us)); }
inline int64_t ToMicros(Time t) { return t.time_since_epoch().count(); }

// RFC 3339 in UTC with microseconds when non-zero: "2026-11-01T00:00:00Z".
std::string FormatTime(Time t);

// Parses RFC 3339 ("2026-11-01T00:00:00Z", "2026-11-01T00:00Z",
// "2026-11-01T02:00:00.5+02:00") or a bare date ("2026-11-01").
// Errors: kInvalidArgument naming the text.
Result<Time> ParseTime(std::string_view text);

}  // namespace rotor
