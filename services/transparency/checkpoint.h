// Checkpoints (C2SP tlog-checkpoint): the signed tree heads of Rotor's log.
// The body is three lines, each ending in a newline:
//   <origin>                      names the deployment (rotord --log-origin)
//   <tree size, decimal>          records 1..size are the tree's leaves
//   <base64 of the 32-byte root>  RFC 9162 root (events/merkle.h)
// and is signed as a note (note.h). Value types; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/hash.h"
#include "base/status.h"

namespace rotor::transparency {

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Sha256Digest root{};
};

// The checkpoint's body (the note text to sign).
std::string FormatCheckpoint(const Checkpoint& checkpoint);

// Parses a checkpoint body (extension lines after the third are ignored, as
// C2SP says). Errors: kInvalidArgument naming the line that is wrong.
Result<Checkpoint> ParseCheckpoint(std::string_view body);

}  // namespace rotor::transparency
