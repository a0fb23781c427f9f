// Byte encoding helpers for the projection store: varints, fixed-width
// integers, length-prefixed strings, and big-endian keys that sort in numeric
// order. Pure functions on caller-owned buffers; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rotor::projections {

inline void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

inline void PutSigned(std::string* out, int64_t v) {
  PutVarint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

inline void PutBytes(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}

inline void PutBigEndian32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

inline void PutBigEndian64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

inline uint32_t GetBigEndian32(std::string_view in) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

inline uint64_t GetBigEndian64(std::string_view in) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

// Reads what the Put functions wrote. Every getter returns false (and leaves
// the reader failed) when the input is too short or malformed.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool Varint(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift <= 63 && !in_.empty(); shift += 7) {
      uint8_t byte = static_cast<uint8_t>(in_.front());
      in_.remove_prefix(1);
      result |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    return Fail();
  }
  bool Varint32(uint32_t* v) {
    uint64_t wide = 0;
    if (!Varint(&wide) || wide > UINT32_MAX) return Fail();
    *v = static_cast<uint32_t>(wide);
    return true;
  }
  bool Signed(int64_t* v) {
    uint64_t u = 0;
    if (!Varint(&u)) return false;
    *v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
    return true;
  }
  bool Bool(bool* v) {
    uint64_t u = 0;
    if (!Varint(&u) || u > 1) return Fail();
    *v = u == 1;
    return true;
  }
  bool Bytes(std::string* v) {
    uint64_t n = 0;
    if (!Varint(&n) || n > in_.size()) return Fail();
    v->assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  bool Fixed(size_t n, std::string_view* v) {
    if (n > in_.size()) return Fail();
    *v = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return ok_ && in_.empty(); }
  bool ok() const { return ok_; }

 private:
  bool Fail() {
    ok_ = false;
    in_ = {};
    return false;
  }
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace rotor::projections
