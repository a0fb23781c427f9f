// StringInterner: maps strings to dense ids 0, 1, 2, ... in order of first
// sight, and back. Built for a million agent ids: the strings live end to end
// in one character arena, and the hash index is an open-addressing table of
// 32-bit ids, so an interned id costs its bytes plus about 12 bytes. Ids are
// never removed or reused.
//
// Thread-compatible: concurrent const calls are safe; mutation is not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string_view>
#include <vector>

namespace rotor::projections {

// Hash for unordered maps keyed by std::string that accept string_view lookups.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class StringInterner {
 public:
  static constexpr uint32_t kNotFound = std::numeric_limits<uint32_t>::max();

  StringInterner() = default;

  // The id of `s`, assigning the next one when `s` is new.
  uint32_t Intern(std::string_view s);
  // The id of `s`; kNotFound when it was never interned.
  uint32_t Find(std::string_view s) const;
  // The string of `id` (< size()). Valid until the next Intern.
  std::string_view Get(uint32_t id) const {
    return std::string_view(arena_.data() + offsets_[id], offsets_[id + 1] - offsets_[id]);
  }
  size_t size() const { return offsets_.size() - 1; }

  // Pre-sizes for `n` strings of about `bytes_each` bytes.
  void Reserve(size_t n, size_t bytes_each);
  void Clear();
  // Heap bytes held (capacities).
  size_t MemoryBytes() const;

 private:
  static uint64_t Hash(std::string_view s);
  // The slot holding `s` or the empty slot where it belongs.
  size_t Probe(std::string_view s, uint64_t hash) const;
  void Grow();

  std::vector<char> arena_;
  std::vector<uint32_t> offsets_{0};  // string i is arena_[offsets_[i], offsets_[i+1])
  std::vector<uint32_t> slots_;       // id + 1; 0 = empty; size is a power of two
};

}  // namespace rotor::projections
