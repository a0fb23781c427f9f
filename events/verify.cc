#include "events/verify.h"

namespace rotor {

namespace {

// Reads a stored tree's leaf hashes in chunks, in sequence order.
class LeafCursor {
 public:
  LeafCursor(const merkle::TileHashReader* tree, uint64_t size) : tree_(tree), size_(size) {}
  bool Covers(uint64_t sequence) const { return tree_ != nullptr && sequence <= size_; }
  // The stored leaf of `sequence` (Covers(sequence) must hold).
  Result<Sha256Digest> Leaf(uint64_t sequence) {
    uint64_t index = sequence - 1;
    if (index < start_ || index >= start_ + chunk_.size()) {
      start_ = index;
      ROTOR_RETURN_IF_ERROR((*tree_)(0, index, std::min<uint64_t>(kChunk, size_ - index), &chunk_));
    }
    return chunk_[index - start_];
  }

 private:
  static constexpr uint64_t kChunk = 4096;
  const merkle::TileHashReader* tree_;
  uint64_t size_;
  uint64_t start_ = 0;
  std::vector<Sha256Digest> chunk_;
};

}  // namespace

Result<VerifyReport> Verify(const EventLog& log, const merkle::TileHashReader* tree,
                            uint64_t tree_size) {
  VerifyReport report;
  merkle::CompactRange range;
  LeafCursor leaves(tree, tree_size);
  Status tree_error;
  uint64_t expected = 1;
  Sha256Digest prev{};
  RecordedEvent record;
  auto fail = [&](uint64_t seq, std::string problem) {
    report.ok = false;
    report.first_bad_sequence = seq;
    report.problem = std::move(problem);
    return false;
  };
  Status scan = log.ScanStored(1, Direction::kForward, [&](uint64_t seq, std::string_view value) {
    if (seq != expected) {
      return fail(expected, "sequence " + std::to_string(expected) +
                                " is missing (next stored is " + std::to_string(seq) + ")");
    }
    Status s = DecodeStoredRecord(seq, value, &record, HashCheck::kVerify);
    if (!s.ok()) return fail(seq, s.message());
    if (record.prev_hash != prev) {
      return fail(seq, "sequence " + std::to_string(seq) +
                           ": prev_hash does not match the hash of the previous record");
    }
    Sha256Digest leaf = merkle::LeafHash(value.substr(kHashSize));
    if (leaves.Covers(seq)) {
      Result<Sha256Digest> stored = leaves.Leaf(seq);
      if (!stored.ok()) {
        tree_error = stored.status();
        return false;
      }
      if (*stored != leaf) {
        return fail(seq, "sequence " + std::to_string(seq) +
                             ": the record differs from the one the Merkle tree recorded when "
                             "it was appended");
      }
      ++report.tree_leaves_checked;
    }
    range.Add(leaf);
    prev = record.hash;
    ++report.events;
    ++expected;
    return true;
  });
  ROTOR_RETURN_IF_ERROR(scan);
  ROTOR_RETURN_IF_ERROR(tree_error);
  if (report.ok && tree != nullptr && report.events < tree_size) {
    fail(report.events + 1, "the log ends at sequence " + std::to_string(report.events) +
                                " but the Merkle tree holds " + std::to_string(tree_size) +
                                " records: the log lost its tail");
  }
  if (report.ok && report.events < log.Head()) {
    fail(report.events + 1, "log ends at sequence " + std::to_string(report.events) +
                                " but its head is " + std::to_string(log.Head()));
  }
  report.head_hash = prev;
  report.tree_root = range.Root();
  return report;
}

}  // namespace rotor
