// Internal to services/domain: the byte writer and reader of the state
// snapshot codec (state_codec.cc, state_codec_parts.cc), and the parts of the
// state each encodes. Thread-compatible.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "base/coding.h"
#include "services/domain/state.h"

namespace rotor::domain::state_codec {

inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

class Writer {
 public:
  void U(uint64_t v) { PutVarint64(&out_, v); }
  void B(bool v) { out_.push_back(v ? 1 : 0); }
  void T(Time t) { U(ZigZag(ToMicros(t))); }
  void S(std::string_view s) {
    U(s.size());
    out_.append(s);
  }
  void Fixed64(uint64_t v) {
    char buf[8];
    std::memcpy(buf, &v, 8);
    out_.append(buf, 8);
  }
  void Strings(const std::vector<std::string>& v) {
    U(v.size());
    for (const std::string& s : v) S(s);
  }
  // An optional id as id + 1 (0: none).
  void Id(uint32_t id) { U(id == StringInterner::kNotFound ? 0 : uint64_t{id} + 1); }
  void Append(std::string_view bytes) { out_.append(bytes); }
  size_t size() const { return out_.size(); }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : p_(in.data()), end_(in.data() + in.size()) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  // Records the first error (`what` names the field being read).
  void Fail(std::string_view what) {
    if (error_.empty()) error_ = "state snapshot: malformed " + std::string(what);
    p_ = end_;
  }
  uint64_t U(std::string_view what) {
    uint64_t v = 0;
    const char* next = ok() ? GetVarint64Ptr(p_, end_, &v) : nullptr;
    if (next == nullptr) {
      Fail(what);
      return 0;
    }
    p_ = next;
    return v;
  }
  // A count of items that each take at least one byte: bounded by what is left.
  size_t Count(std::string_view what) {
    uint64_t n = U(what);
    if (n > static_cast<uint64_t>(end_ - p_)) {
      Fail(what);
      return 0;
    }
    return static_cast<size_t>(n);
  }
  uint32_t U32(std::string_view what) {
    uint64_t v = U(what);
    if (v > UINT32_MAX) Fail(what);
    return static_cast<uint32_t>(v);
  }
  bool B(std::string_view what) {
    if (!ok() || p_ == end_ || static_cast<uint8_t>(*p_) > 1) {
      Fail(what);
      return false;
    }
    return *p_++ == 1;
  }
  Time T(std::string_view what) { return TimeFromMicros(UnZigZag(U(what))); }
  std::string S(std::string_view what) {
    size_t n = Count(what);
    std::string s(p_, n);
    p_ += n;
    return s;
  }
  uint64_t Fixed64(std::string_view what) {
    if (!ok() || end_ - p_ < 8) {
      Fail(what);
      return 0;
    }
    uint64_t v;
    std::memcpy(&v, p_, 8);
    p_ += 8;
    return v;
  }
  std::vector<std::string> Strings(std::string_view what) {
    std::vector<std::string> v(Count(what));
    for (std::string& s : v) s = S(what);
    return v;
  }
  void Interner(StringInterner& in, std::string_view what) {
    size_t n = Count(what);
    for (size_t i = 0; i < n && ok(); ++i) {
      std::string s = S(what);
      if (in.Intern(s) != i) Fail(what);  // a repeated string
    }
  }
  // An optional id below `limit` (see Writer::Id).
  uint32_t Id(size_t limit, std::string_view what) {
    uint64_t v = U(what);
    if (v == 0) return StringInterner::kNotFound;
    if (v > limit) Fail(what);
    return static_cast<uint32_t>(v - 1);
  }
  template <typename E>
  E Enum(std::string_view what) {
    uint64_t v = U(what);
    if (v > 255) Fail(what);
    return static_cast<E>(v);
  }
  bool AtEnd() const { return p_ == end_; }

 private:
  const char* p_;
  const char* end_;
  std::string error_;
};

// The agents [first, end) with their side tables (a chunk of format
// version 2; in version 1, all the agents at once). DecodeAgents appends
// `expected` agents after those `s` holds; side-table entries must name them.
void EncodeAgents(Writer& w, const DomainState& s, uint32_t first, uint32_t end);
void DecodeAgents(Reader& r, DomainState& s, size_t expected);
// Certificates; one rollout.
void EncodeCertificates(Writer& w, const DomainState& s);
void DecodeCertificates(Reader& r, DomainState& s);
void EncodeRollout(Writer& w, const RolloutState& rollout);
RolloutState DecodeRollout(Reader& r, const DomainState& s);
// Everything after the agents: certificates, rollouts, gateways, stream
// versions, tracked rollouts (state_codec.cc).
void EncodeRest(Writer& w, const DomainState& s);

}  // namespace rotor::domain::state_codec
