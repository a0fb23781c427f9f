// InventorySets: interns agents' inventories (sorted sets of fingerprint ids)
// so that an agent stores one 32-bit set id. A fleet where every agent holds
// the old certificate, or the old and the new, has two sets in all. Sets are
// reference counted; a set no agent holds is freed and its id reused.
// Id 0 is the empty set and is never freed.
//
// Thread-compatible: concurrent const calls are safe; mutation is not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

namespace rotor {

class InventorySets {
 public:
  InventorySets();

  // The id of the set holding `fingerprints` (sorted, without duplicates),
  // with one more reference.
  uint32_t Acquire(std::span<const uint32_t> fingerprints);
  // As Acquire; `hint` (a set id, possibly freed) is tried first.
  uint32_t Acquire(std::span<const uint32_t> fingerprints, uint32_t hint);
  // Drops one reference to `id` (no-op for the empty set).
  void Release(uint32_t id);

  std::span<const uint32_t> Get(uint32_t id) const { return entries_[id].fingerprints; }
  bool Contains(uint32_t id, uint32_t fingerprint) const;

  // Sets currently held by at least one reference (plus the empty set).
  size_t live() const { return entries_.size() - free_.size(); }
  void Clear();
  size_t MemoryBytes() const;

 private:
  struct Entry {
    std::vector<uint32_t> fingerprints;
    uint32_t refs = 0;
  };
  static uint64_t Hash(std::span<const uint32_t> fingerprints);

  std::vector<Entry> entries_;
  std::vector<uint32_t> free_;
  std::unordered_multimap<uint64_t, uint32_t> index_;  // hash -> id
};

}  // namespace rotor
