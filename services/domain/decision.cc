#include "services/domain/decision.h"

#include <cassert>

#include "services/domain/streams.h"

namespace rotor::domain {

void Decision::Add(Event event) {
  std::string stream = StreamFor(event);
  for (StreamAppend& a : appends) {
    if (a.stream_id == stream) {
      a.events.push_back(std::move(event));
      return;
    }
  }
  appends.push_back(StreamAppend{std::move(stream), {}, {}});
  appends.back().events.push_back(std::move(event));
}

void Decision::AddToNewStream(Event event) {
  std::string stream = StreamFor(event);
  appends.push_back(StreamAppend{std::move(stream), {}, {}});
  appends.back().events.push_back(std::move(event));
}

void Decision::SetIdempotencyKey(const std::string& stream_id, std::string key) {
  for (StreamAppend& a : appends) {
    if (a.stream_id == stream_id) {
      a.idempotency_key = std::move(key);
      return;
    }
  }
  assert(false && "SetIdempotencyKey on a stream without an append");
}

std::vector<Event> Decision::Events() const {
  std::vector<Event> out;
  for (const StreamAppend& a : appends) out.insert(out.end(), a.events.begin(), a.events.end());
  return out;
}

}  // namespace rotor::domain
