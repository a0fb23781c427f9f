// SHA-256 of data held in several pieces, without joining them (e.g. a state
// snapshot encoded in parts, services/app/state_snapshots.cc). Implemented
// in base/hash.cc beside Sha256. Thread-safe.
#pragma once

#include <span>
#include <string_view>

#include "base/hash.h"

namespace rotor {

// SHA-256 of `parts` one after another.
Sha256Digest Sha256OfParts(std::span<const std::string_view> parts);

}  // namespace rotor
