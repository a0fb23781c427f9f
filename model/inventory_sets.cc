#include "model/inventory_sets.h"

#include <algorithm>
#include <cassert>

namespace rotor {

InventorySets::InventorySets() { Clear(); }

void InventorySets::Clear() {
  entries_.assign(1, Entry{});
  free_.clear();
  index_.clear();
}

uint64_t InventorySets::Hash(std::span<const uint32_t> fingerprints) {
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ fingerprints.size();
  for (uint32_t f : fingerprints) {
    h = (h ^ f) * 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
  }
  return h;
}

bool InventorySets::Contains(uint32_t id, uint32_t fingerprint) const {
  const std::vector<uint32_t>& f = entries_[id].fingerprints;
  if (f.size() <= 8) return std::find(f.begin(), f.end(), fingerprint) != f.end();
  return std::binary_search(f.begin(), f.end(), fingerprint);
}

uint32_t InventorySets::Acquire(std::span<const uint32_t> fingerprints) {
  if (fingerprints.empty()) return 0;
  uint64_t h = Hash(fingerprints);
  auto [first, last] = index_.equal_range(h);
  for (auto it = first; it != last; ++it) {
    Entry& e = entries_[it->second];
    if (std::equal(e.fingerprints.begin(), e.fingerprints.end(), fingerprints.begin(),
                   fingerprints.end())) {
      ++e.refs;
      return it->second;
    }
  }
  uint32_t id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    id = static_cast<uint32_t>(entries_.size());
    entries_.emplace_back();
  }
  Entry& e = entries_[id];
  e.fingerprints.assign(fingerprints.begin(), fingerprints.end());
  e.refs = 1;
  index_.emplace(h, id);
  return id;
}

uint32_t InventorySets::Acquire(std::span<const uint32_t> fingerprints, uint32_t hint) {
  if (hint != 0 && hint < entries_.size()) {
    Entry& e = entries_[hint];
    if (e.refs > 0 && std::equal(e.fingerprints.begin(), e.fingerprints.end(), fingerprints.begin(),
                                 fingerprints.end())) {
      ++e.refs;
      return hint;
    }
  }
  return Acquire(fingerprints);
}

void InventorySets::Release(uint32_t id) {
  if (id == 0) return;
  Entry& e = entries_[id];
  assert(e.refs > 0);
  if (--e.refs > 0) return;
  auto [first, last] = index_.equal_range(Hash(e.fingerprints));
  for (auto it = first; it != last; ++it) {
    if (it->second == id) {
      index_.erase(it);
      break;
    }
  }
  e.fingerprints = {};
  free_.push_back(id);
}

size_t InventorySets::MemoryBytes() const {
  size_t bytes = entries_.capacity() * sizeof(Entry) + free_.capacity() * sizeof(uint32_t) +
                 index_.bucket_count() * sizeof(void*) + index_.size() * 32;
  for (const Entry& e : entries_) bytes += e.fingerprints.capacity() * sizeof(uint32_t);
  return bytes;
}

}  // namespace rotor
