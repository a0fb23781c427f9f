// EventDecoder: decodes recorded events for the projections' folds without
// allocating in the steady state.
//
// The two events a replay is made of (AgentInventoryReported,
// AgentFlaggedStale) are read by a hand-written parser into scratch events
// whose strings keep their capacity — the same approach events/record.cc
// takes for the envelope. The parser accepts only the plain shape the codec
// writes (each field at most once, ASCII strings, known fields, varints below
// 2^63, booleans 0 or 1) and declines anything else, which then goes through
// events/codec.h DecodeEvent: the codec stays the authority on what a payload
// means, and tests/projections/event_decoder_test.cc checks both agree.
// Every other event type goes straight to DecodeEvent.
//
// Thread-compatible: one decoder per thread. The Event returned is valid
// until the next Decode.
#pragma once

#include "base/status.h"
#include "events/event_types.h"
#include "events/record.h"

namespace rotor::projections {

class EventDecoder {
 public:
  EventDecoder();

  // Decodes `record`'s payload. Errors: as DecodeEvent (kInvalidArgument
  // naming the sequence for an unknown type or bytes that do not parse).
  Result<const Event*> Decode(const RecordedEvent& record);

  // Decodes into `*out`, reusing its storage when it already holds the same
  // event type. Errors: as Decode; `*out` is then unspecified.
  Status DecodeInto(const RecordedEvent& record, Event* out);

  // Events decoded by the fast path and by DecodeEvent (for tests and metrics).
  uint64_t fast() const { return fast_; }
  uint64_t slow() const { return slow_; }

 private:
  Event inventory_;  // holds AgentInventoryReported
  Event stale_;      // holds AgentFlaggedStale
  Event other_;
  uint64_t fast_ = 0;
  uint64_t slow_ = 0;
};

// The fast parsers, exposed for the differential test. Each returns false,
// leaving `out` unspecified, for input it declines.
bool ParseInventoryFast(std::string_view payload, AgentInventoryReported* out);
bool ParseFlaggedStaleFast(std::string_view payload, AgentFlaggedStale* out);

}  // namespace rotor::projections
