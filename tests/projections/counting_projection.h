// CountingProjection: a test-only projection that is deliberately NOT
// idempotent — it counts the events applied and sums their sequence numbers.
// Folding sequences 1..n exactly once gives count n and sum n(n+1)/2; any
// event applied twice or skipped shows. The kill test uses it to check the
// runner itself (the real projections also ignore replayed sequences, which
// would hide a runner bug). Thread-compatible.
#pragma once

#include <cstdint>
#include <string>

#include "projections/encoding.h"
#include "projections/projection.h"

namespace rotor::projections::testing {

class CountingProjection final : public Projection {
 public:
  std::string_view name() const override { return "counting"; }
  void Apply(const RecordedEvent& record, const Event&) override {
    ++count_;
    sum_ += record.sequence;
  }
  void Clear() override { count_ = sum_ = 0; }
  void set_track_changes(bool) override {}
  void WriteChanges(KvWriter& out) override { WriteAll(out); }
  void WriteAll(KvWriter& out) override {
    std::string v;
    PutVarint(&v, count_);
    PutVarint(&v, sum_);
    out.Put("n", v);
  }
  Status Load(const KvReader& in) override {
    Clear();
    bool ok = true;
    Status s = in.Scan("n", [&](std::string_view, std::string_view value) {
      Reader r(value);
      ok = r.Varint(&count_) && r.Varint(&sum_) && r.done();
      return false;
    });
    if (!s.ok()) return s;
    return ok ? Status::Ok() : Status::Corruption("counting projection does not decode");
  }
  size_t MemoryBytes() const override { return 0; }

  uint64_t count() const { return count_; }
  uint64_t sum() const { return sum_; }

 private:
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
};

}  // namespace rotor::projections::testing
