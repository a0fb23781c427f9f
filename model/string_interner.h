// StringInterner: maps strings to dense ids 0, 1, 2, ... in order of first
// sight, and back. Built for a million agent ids: the strings live end to end
// in one character arena, and the hash index is an open-addressing table of
// 32-bit slots (26 bits of id + 1, 6 bits of hash that spare most string
// comparisons), so an interned id costs its bytes plus about 12 bytes. Ids
// are never removed or reused; at most kMaxStrings strings.
//
// Thread-compatible: concurrent const calls are safe; mutation is not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <string_view>
#include <vector>

namespace rotor {

// Hash for unordered maps keyed by std::string that accept string_view lookups.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class StringInterner {
 public:
  static constexpr uint32_t kNotFound = std::numeric_limits<uint32_t>::max();
  static constexpr uint32_t kMaxStrings = (1u << 26) - 2;

  StringInterner() = default;

  // The id of `s`, assigning the next one when `s` is new. Aborts past
  // kMaxStrings (67 million: far beyond any fleet).
  uint32_t Intern(std::string_view s);
  // The id of `s`; kNotFound when it was never interned.
  uint32_t Find(std::string_view s) const;
  // The string of `id` (< size()). Valid until the next Intern.
  std::string_view Get(uint32_t id) const {
    return std::string_view(arena_.data() + offsets_[id], offsets_[id + 1] - offsets_[id]);
  }
  size_t size() const { return offsets_.size() - 1; }

  // Hint that `s` will be looked up soon: starts loading its first slot.
  void PrefetchSlot(std::string_view s) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[Hash(s) & (slots_.size() - 1)]);
  }
  // Hint, once the slot is likely loaded: the id in `s`'s first slot when its
  // hash tag matches (probably, not surely, `s`'s id), else kNotFound. Starts
  // loading that entry's text.
  uint32_t PeekId(std::string_view s) const {
    if (slots_.empty()) return kNotFound;
    uint64_t h = Hash(s);
    uint32_t slot = slots_[h & (slots_.size() - 1)];
    if (slot == 0 || (slot >> kIdBits) != Tag(h)) return kNotFound;
    uint32_t id = (slot & kIdMask) - 1;
    __builtin_prefetch(arena_.data() + offsets_[id]);
    return id;
  }

  // Pre-sizes for `n` strings of about `bytes_each` bytes.
  void Reserve(size_t n, size_t bytes_each);
  void Clear();
  // Heap bytes held (capacities).
  size_t MemoryBytes() const;

 private:
  static constexpr int kIdBits = 26;
  static constexpr uint32_t kIdMask = (1u << kIdBits) - 1;
  static uint32_t Tag(uint64_t hash) {
    return static_cast<uint32_t>(hash >> (64 - (32 - kIdBits)));
  }
  static uint32_t Slot(uint32_t id, uint64_t hash) { return Tag(hash) << kIdBits | (id + 1); }

  static uint64_t Hash(std::string_view s) {
    // FNV-1a over 8-byte words, then a final mix (fast for short ids).
    uint64_t h = 0xcbf29ce484222325ULL ^ s.size();
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      h = (h ^ w) * 0x100000001b3ULL;
      h ^= h >> 29;
    }
    uint64_t tail = 0;
    if (s.size() > i) std::memcpy(&tail, s.data() + i, s.size() - i);
    h = (h ^ tail) * 0x9e3779b97f4a7c15ULL;
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ULL;
    h ^= h >> 32;
    return h;
  }
  // The slot holding `s` or the empty slot where it belongs.
  size_t Probe(std::string_view s, uint64_t hash) const;
  void Grow();

  std::vector<char> arena_;
  std::vector<uint32_t> offsets_{0};  // string i is arena_[offsets_[i], offsets_[i+1])
  std::vector<uint32_t> slots_;       // Slot(id, hash); 0 = empty; size is a power of two
};

}  // namespace rotor
