// Differential target: event payloads. projections::EventDecoder (the
// hand-written parsers of AgentInventoryReported and AgentFlaggedStale,
// projections/event_decoder.cc) against the codec's DecodePayload
// (events/codec.cc, protobuf's generated parser). They must agree on
// accept/reject and on the decoded event; what is accepted must survive
// EncodePayload unchanged. The decoder is kept across inputs, as a fold
// keeps it, so that its reused buffers are exercised too.
//
// Input: one byte choosing the event type (an index into the Event variant),
// then the payload bytes.
#include <string>
#include <utility>
#include <vector>

#include "events/codec.h"
#include "projections/event_decoder.h"
#include "tests/fuzz/fuzz_util.h"

namespace rotor {
namespace {

template <size_t... I>
std::vector<std::string> TypeNames(std::index_sequence<I...>) {
  return {std::string(EventTypeName(Event(std::in_place_index<I>)))...};
}

const std::vector<std::string>& Types() {
  static const std::vector<std::string> names =
      TypeNames(std::make_index_sequence<std::variant_size_v<Event>>());
  return names;
}

}  // namespace
}  // namespace rotor

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rotor;
  if (size == 0) return -1;  // not added to the corpus
  static projections::EventDecoder decoder;
  RecordedEvent record;
  record.sequence = 1;
  record.event_type = Types()[data[0] % Types().size()];
  record.payload.assign(fuzz::Bytes(data + 1, size - 1));

  Result<Event> slow = DecodePayload(record.event_type, record.payload);
  Result<const Event*> fast = decoder.Decode(record);
  FUZZ_CHECK(fast.ok() == slow.ok());

  // Each fast parser on its own: whatever it accepts, protobuf accepts alike.
  AgentInventoryReported inventory;
  if (projections::ParseInventoryFast(record.payload, &inventory)) {
    Result<Event> reference = DecodePayload("rotor.v1.AgentInventoryReported", record.payload);
    FUZZ_CHECK(reference.ok() && *reference == Event(inventory));
  }
  AgentFlaggedStale stale;
  if (projections::ParseFlaggedStaleFast(record.payload, &stale)) {
    Result<Event> reference = DecodePayload("rotor.v1.AgentFlaggedStale", record.payload);
    FUZZ_CHECK(reference.ok() && *reference == Event(stale));
  }
  if (!slow.ok()) return 0;

  FUZZ_CHECK(**fast == *slow);
  FUZZ_CHECK(EventTypeName(*slow) == record.event_type);
  Result<Event> again = DecodePayload(record.event_type, EncodePayload(*slow));
  FUZZ_CHECK(again.ok() && *again == *slow);
  return 0;
}
