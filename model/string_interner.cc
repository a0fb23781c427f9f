#include "model/string_interner.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace rotor {

size_t StringInterner::Probe(std::string_view s, uint64_t hash) const {
  size_t mask = slots_.size() - 1;
  uint32_t tag = Tag(hash);
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    uint32_t slot = slots_[i];
    if (slot == 0 || ((slot >> kIdBits) == tag && Get((slot & kIdMask) - 1) == s)) return i;
  }
}

uint32_t StringInterner::Find(std::string_view s) const {
  if (slots_.empty()) return kNotFound;
  uint32_t slot = slots_[Probe(s, Hash(s))];
  return slot == 0 ? kNotFound : (slot & kIdMask) - 1;
}

uint32_t StringInterner::Intern(std::string_view s) {
  // Keep the load factor at most 1/2.
  if ((size() + 1) * 2 > slots_.size()) Grow();
  uint64_t hash = Hash(s);
  size_t i = Probe(s, hash);
  if (slots_[i] != 0) return (slots_[i] & kIdMask) - 1;
  if (size() >= kMaxStrings || arena_.size() + s.size() >= std::numeric_limits<uint32_t>::max()) {
    std::fprintf(stderr, "StringInterner: more than %u strings or 4 GiB of text\n", kMaxStrings);
    std::abort();
  }
  auto id = static_cast<uint32_t>(size());
  arena_.insert(arena_.end(), s.begin(), s.end());
  offsets_.push_back(static_cast<uint32_t>(arena_.size()));
  slots_[i] = Slot(id, hash);
  return id;
}

void StringInterner::Grow() {
  size_t capacity = slots_.empty() ? 16 : slots_.size() * 2;
  slots_.assign(capacity, 0);
  size_t mask = capacity - 1;
  for (uint32_t id = 0; id < size(); ++id) {
    uint64_t hash = Hash(Get(id));
    size_t i = hash & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = Slot(id, hash);
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

}  // namespace rotor
