// Decision: what a decider wants appended, as one append per stream, in
// order. An empty Decision means the command changes nothing (a repeated
// command). The command service turns each StreamAppend into an
// AppendRequest with the stream's exact expected version. Value type;
// thread-compatible.
#pragma once

#include <string>
#include <vector>

#include "base/time.h"
#include "events/event_types.h"

namespace rotor::domain {

struct StreamAppend {
  std::string stream_id;
  std::vector<Event> events;
  std::string idempotency_key;  // empty: none
};

struct Decision {
  Decision() = default;
  Decision(std::string actor, Time recorded_at)
      : actor(std::move(actor)), recorded_at(recorded_at) {}

  std::string actor;  // the envelope's actor of every event
  Time recorded_at;   // the command's time
  std::vector<StreamAppend> appends;

  bool IsEmpty() const { return appends.empty(); }
  // Adds `event` to the append of its stream (streams.h), opening a new
  // append the first time a stream is used. Linear in the number of appends,
  // so deciders that touch many streams (FlagStaleAgents) use AddToNewStream.
  void Add(Event event);
  // Sets the idempotency key of the append to `stream_id`; the stream must
  // already have an append.
  // Opens a new append for `event`; the caller guarantees its stream is not
  // used yet in this decision.
  void AddToNewStream(Event event);
  void SetIdempotencyKey(const std::string& stream_id, std::string key);
  // Every event, in append order.
  std::vector<Event> Events() const;
};

}  // namespace rotor::domain
