// EventDecoder's fast parsers against the codec (events/codec.h), the
// authority: on the codec's own encodings of random events the fast path is
// taken and gives the same event; on mutated bytes, whatever the fast path
// accepts the codec decodes to the same event.
#include "projections/event_decoder.h"

#include <gtest/gtest.h>

#include <random>

#include "base/hash.h"
#include "events/codec.h"
#include "tests/projections/test_util.h"

namespace rotor::projections {
namespace {

class DecoderTest : public ::testing::Test {
 protected:
  // Random printable ASCII, or valid UTF-8 with some multi-byte characters.
  std::string Text(size_t max, bool ascii = true) {
    static const char* const kWide[] = {"\xc3\xa9", "\xc3\x9f", "\xe6\x97\xa5", "\xf0\x9f\x94\x91"};
    std::string s;
    for (size_t n = rng_() % (max + 1); n > 0; --n) {
      if (!ascii && rng_() % 3 == 0) {
        s += kWide[rng_() % 4];
      } else {
        s.push_back(static_cast<char>(0x20 + rng_() % 95));
      }
    }
    return s;
  }
  Time AnyTime() {
    int64_t us = static_cast<int64_t>(rng_() % (int64_t{4} << 50)) -
                 (rng_() % 8 == 0 ? (int64_t{1} << 50) : 0);
    return TimeFromMicros(rng_() % 4 == 0 ? us / 1000000 * 1000000 : us);
  }
  Event RandomEvent() {
    bool ascii = rng_() % 10 != 0;
    if (rng_() % 2 == 0) {
      AgentFlaggedStale e{Text(20, ascii), AnyTime(), AnyTime(),
                          rng_() % 3 == 0 ? rng_() : rng_() % 1000};
      return e;
    }
    AgentInventoryReported e;
    e.report_id = Text(30, ascii);
    e.agent_id = Text(20, ascii);
    e.reported_at = AnyTime();
    for (size_t n = rng_() % 4; n > 0; --n)
      e.certificate_fingerprints.push_back(testing::Fp(Text(5)));
    if (rng_() % 10 == 0) e.certificate_fingerprints.push_back("");
    e.gateway_id = Text(8, ascii);
    e.site = Text(8, ascii);
    e.cloud_enabled = rng_() % 2 == 0;
    e.supersedes_future_report = rng_() % 8 == 0;
    return e;
  }
  RecordedEvent Record(const Event& e) {
    NewEvent n = MakeNewEvent(e, testing::At(0), "t");
    RecordedEvent r;
    r.sequence = 1;
    r.event_type = n.event_type;
    r.payload = n.payload;
    return r;
  }

  std::mt19937_64 rng_{12345};
  EventDecoder decoder_;
};

TEST_F(DecoderTest, FastPathAgreesWithTheCodecOnItsOwnEncodings) {
  for (int i = 0; i < 20000; ++i) {
    Event e = RandomEvent();
    RecordedEvent r = Record(e);
    Result<const Event*> fast = decoder_.Decode(r);
    ASSERT_TRUE(fast.ok()) << fast.status().ToString();
    ASSERT_TRUE(**fast == e) << "event " << i;
  }
  // Plain ASCII events with non-negative times take the fast path; the rest fall back.
  EXPECT_GT(decoder_.fast(), 10000u);
  EXPECT_GT(decoder_.slow(), 1000u);
}

TEST_F(DecoderTest, WhateverTheFastPathAcceptsTheCodecDecodesTheSame) {
  uint64_t accepted = 0;
  for (int i = 0; i < 50000; ++i) {
    RecordedEvent r = Record(RandomEvent());
    switch (rng_() % 4) {
      case 0:
        if (!r.payload.empty())
          r.payload[rng_() % r.payload.size()] ^= static_cast<char>(1 << (rng_() % 8));
        break;
      case 1:
        r.payload.resize(rng_() % (r.payload.size() + 1));
        break;
      case 2:
        r.payload += std::string(1, static_cast<char>(rng_() % 256)) + Text(3);
        break;
      default:
        r.payload.insert(rng_() % (r.payload.size() + 1), Text(2, false));
    }
    Result<Event> codec = DecodeEvent(r);
    bool fast_ok = false;
    Event fast;
    if (r.event_type == "rotor.v1.AgentInventoryReported") {
      AgentInventoryReported e;
      fast_ok = ParseInventoryFast(r.payload, &e);
      fast = e;
    } else {
      AgentFlaggedStale e;
      fast_ok = ParseFlaggedStaleFast(r.payload, &e);
      fast = e;
    }
    if (!fast_ok) continue;
    ++accepted;
    ASSERT_TRUE(codec.ok()) << "fast path accepted bytes the codec rejects (case " << i
                            << "): " << ToHex(r.payload) << " " << codec.status().ToString();
    ASSERT_TRUE(*codec == fast) << "case " << i;
  }
  EXPECT_GT(accepted, 5000u);
}

TEST_F(DecoderTest, UnknownFieldsAndOtherTypesGoThroughTheCodec) {
  AgentInventoryReported e = testing::Report("a", testing::At(5), {testing::Fp("x")}, "gw", "s");
  RecordedEvent r = Record(e);
  r.payload += std::string("\x48\x01", 2);  // field 9, varint 1: from a newer schema
  Result<const Event*> decoded = decoder_.Decode(r);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(**decoded == Event(e));
  EXPECT_EQ(decoder_.slow(), 1u);
  decoded = decoder_.Decode(Record(testing::Replace("r1", "a", "b")));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<ReplacementInitiated>(**decoded).rollout_id, "r1");
  RecordedEvent bad = Record(e);
  bad.event_type = "rotor.v1.Nope";
  EXPECT_EQ(decoder_.Decode(bad).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rotor::projections
