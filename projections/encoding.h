// Byte encoding helpers for the projection store: zigzag signed varints,
// length-prefixed strings, and a Reader for what they wrote (on top of
// base/coding.h). Pure functions on caller-owned buffers; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/coding.h"

namespace rotor::projections {

// The byte-level coding is base/coding.h's (PutBigEndian32/64,
// GetBigEndian32/64 are used from there); these add the store's conventions.
inline void PutVarint(std::string* out, uint64_t v) { PutVarint64(out, v); }

inline void PutSigned(std::string* out, int64_t v) {
  PutVarint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

inline void PutBytes(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}

// Reads what the Put functions wrote. Every getter returns false (and leaves
// the reader failed) when the input is too short or malformed.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool Varint(uint64_t* v) {
    // Most stored varints are one byte (flags, ids below 128, lengths).
    if (!in_.empty() && static_cast<uint8_t>(in_[0]) < 0x80) {
      *v = static_cast<uint8_t>(in_[0]);
      in_.remove_prefix(1);
      return true;
    }
    const char* end = in_.data() + in_.size();
    const char* next = GetVarint64Ptr(in_.data(), end, v);
    if (next == nullptr) return Fail();
    in_.remove_prefix(static_cast<size_t>(next - in_.data()));
    return true;
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
  // A length-prefixed string (PutBytes), as a view into the input.
  bool View(std::string_view* v) {
    uint64_t n = 0;
    if (!Varint(&n) || n > in_.size()) return Fail();
    *v = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  size_t remaining() const { return in_.size(); }
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
