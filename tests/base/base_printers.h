// gtest printers for rotor_base's types, so that failures show "conflict"
// rather than "4-byte object <04-00 00-00>". tests/events/test_printers.h
// includes this for the binaries that also print events. Test-only.
#pragma once

#include <ostream>

#include "base/status.h"

namespace rotor {

inline void PrintTo(StatusCode code, std::ostream* os) { *os << StatusCodeName(code); }

inline void PrintTo(const Status& status, std::ostream* os) { *os << status.ToString(); }

}  // namespace rotor
