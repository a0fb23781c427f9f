#include "projections/string_interner.h"

#include <cassert>
#include <cstring>

namespace rotor::projections {

uint64_t StringInterner::Hash(std::string_view s) {
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

size_t StringInterner::Probe(std::string_view s, uint64_t hash) const {
  size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    uint32_t slot = slots_[i];
    if (slot == 0 || Get(slot - 1) == s) return i;
  }
}

uint32_t StringInterner::Find(std::string_view s) const {
  if (slots_.empty()) return kNotFound;
  uint32_t slot = slots_[Probe(s, Hash(s))];
  return slot == 0 ? kNotFound : slot - 1;
}

uint32_t StringInterner::Intern(std::string_view s) {
  // Keep the load factor at most 1/2.
  if ((size() + 1) * 2 > slots_.size()) Grow();
  size_t i = Probe(s, Hash(s));
  if (slots_[i] != 0) return slots_[i] - 1;
  assert(arena_.size() + s.size() < std::numeric_limits<uint32_t>::max());
  uint32_t id = static_cast<uint32_t>(size());
  arena_.insert(arena_.end(), s.begin(), s.end());
  offsets_.push_back(static_cast<uint32_t>(arena_.size()));
  slots_[i] = id + 1;
  return id;
}

void StringInterner::Grow() {
  size_t capacity = slots_.empty() ? 16 : slots_.size() * 2;
  slots_.assign(capacity, 0);
  size_t mask = capacity - 1;
  for (uint32_t id = 0; id < size(); ++id) {
    size_t i = Hash(Get(id)) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = id + 1;
  }
}

void StringInterner::Reserve(size_t n, size_t bytes_each) {
  arena_.reserve(n * bytes_each);
  offsets_.reserve(n + 1);
  while (slots_.size() < n * 2) Grow();
}

void StringInterner::Clear() {
  arena_.clear();
  offsets_.assign(1, 0);
  slots_.clear();
}

size_t StringInterner::MemoryBytes() const {
  return arena_.capacity() + offsets_.capacity() * sizeof(uint32_t) +
         slots_.capacity() * sizeof(uint32_t);
}

}  // namespace rotor::projections
