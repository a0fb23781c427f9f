// Export: `rotorctl export` writes a range of events, read page by page from
// GET /v1/events, as JSON lines (one event object a line, as the API gives
// it) or as length-delimited protobuf: each rotor.v1.EventEnvelope (hash
// set, so a consumer can re-check the chain) preceded by its size as a
// base-128 varint, the framing of protobuf's writeDelimitedTo.
// Single-threaded.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "services/rotorctl/session.h"

namespace rotor::ctl {

struct ExportOptions {
  uint64_t from = 1;
  uint64_t to = 0;  // 0: up to the head
  std::string format = "jsonl";
};

// Writes the events from `from` to `to` (inclusive) to `out`. Returns how
// many were written. On failure the error was printed (session exit code
// set), or is returned for the caller to print.
Result<uint64_t> ExportEvents(Session& session, const ExportOptions& options, std::ostream& out);

}  // namespace rotor::ctl
