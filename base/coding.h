// Byte-level coding, once, in the manner of LevelDB's util/coding.h: varints
// (LEB128, as protobuf writes them), big-endian fixed-width integers (byte
// order = numeric order, for RocksDB keys), and hex. The event log, the
// projections' store, the codec's fast paths and the services all use these.
//
// Encode* write into a buffer the caller sized (VarintLength tells how much)
// and return the position after what they wrote; Put* append to a string;
// Get*/Decode* read. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rotor {

// Bytes a varint of `v` takes (1 to 10).
int VarintLength(uint64_t v);
// Writes `v` as a varint at `dst`; returns the position after it.
char* EncodeVarint64(char* dst, uint64_t v);
// Appends `v` as a varint.
void PutVarint64(std::string* dst, uint64_t v);
// Reads a varint of at most 10 bytes at `p`; returns the position after it,
// or nullptr when it runs past `limit` or is longer than 10 bytes. Inline:
// the payload decoders' hot loops call it for every tag and length.
inline const char* GetVarint64Ptr(const char* p, const char* limit, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && p < limit; shift += 7) {
    auto byte = static_cast<uint8_t>(*p++);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return p;
    }
  }
  return nullptr;
}

// Big-endian fixed-width integers.
void EncodeBigEndian32(char* dst, uint32_t v);
void EncodeBigEndian64(char* dst, uint64_t v);
void PutBigEndian32(std::string* dst, uint32_t v);
void PutBigEndian64(std::string* dst, uint64_t v);
// Read 4 / 8 bytes at `p`; the caller checks there are that many.
uint32_t DecodeBigEndian32(const char* p);
uint64_t DecodeBigEndian64(const char* p);
// The same over a view that must hold at least 4 / 8 bytes.
inline uint32_t GetBigEndian32(std::string_view in) { return DecodeBigEndian32(in.data()); }
inline uint64_t GetBigEndian64(std::string_view in) { return DecodeBigEndian64(in.data()); }

// Lower-case hex of `bytes`.
std::string ToHex(std::string_view bytes);
// Decodes hex (either case) into `out` (appended). False, and `out`
// unchanged, when `hex` has an odd length or a character that is not a hex digit.
bool FromHex(std::string_view hex, std::string* out);

}  // namespace rotor
