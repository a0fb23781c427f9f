// Protobuf wire-format primitives shared by the hand-written decoders
// (events/record.cc for envelopes, projections/event_decoder.cc for the hot
// payloads). Each decoder steps aside for the generated code when these say
// no, so they only need to accept the common shape. Stateless.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "base/coding.h"

namespace rotor::wire {

// Reads a varint of at most 9 bytes (a value below 2^63) at `*p`, advancing
// `*p`. False when it is longer or runs past `end`.
inline bool GetVarint(const char** p, const char* end, uint64_t* v) {
  const char* limit = end - *p > 9 ? *p + 9 : end;
  const char* next = GetVarint64Ptr(*p, limit, v);
  if (next == nullptr) return false;
  *p = next;
  return true;
}

// True when every byte is below 0x80 (ASCII is valid UTF-8 as it stands).
inline bool IsAscii(std::string_view s) {
  uint64_t high = 0;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {  // eight bytes at a time, no early exit
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    high |= w;
  }
  for (; i < s.size(); ++i) high |= static_cast<uint8_t>(s[i]);
  return (high & 0x8080808080808080ULL) == 0;
}

}  // namespace rotor::wire
