// DomainState <-> bytes, for snapshots of the deciders' state (start-up folds
// only the events after the latest snapshot; services/app/state_snapshots.h
// stores and verifies them). The encoding is Rotor's own: varints and
// length-prefixed strings (base/coding.h), every field of the state in a
// fixed order, behind a format version. A snapshot of another format version
// is refused with kFailedPrecondition (the caller folds from the log
// instead); bytes that do not decode are kCorruption. Decoding rebuilds the
// interners and inventory sets, so ids may differ from the encoded state's
// while every fact is the same.
//
// Pure functions; thread-compatible (the state must not change while encoded).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "services/domain/state.h"

namespace rotor::domain {

// Bumped whenever the encoding or the meaning of a field changes. Version 2
// writes the agents in chunks (StateEncoder, state_encoder.h), so that a
// snapshot can be taken a piece at a time; version 1 (all the agents at
// once, written by earlier builds) is still read.
inline constexpr uint32_t kStateFormatVersion = 2;
inline constexpr uint32_t kStateFormatVersionOne = 1;

// The encoding of `state` (with kStateFormatVersion), in one go (StateEncoder
// is the piecewise way).
std::string EncodeState(const DomainState& state);

// Reads versions 1 and 2. Errors: kFailedPrecondition (another format
// version; the message names it and the versions read), kCorruption
// (truncated or malformed bytes; the message names what).
Result<DomainState> DecodeState(std::string_view bytes);

}  // namespace rotor::domain
