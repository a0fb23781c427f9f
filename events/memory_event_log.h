// MemoryEventLog: an EventLog held in memory, for fast tests. Same record
// encoding, hash chain and semantics as RocksDbEventLog; nothing survives the
// process. Thread-safe: one mutex serializes appends; reads share it.
#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "events/event_log.h"

namespace rotor {

class MemoryEventLog final : public EventLog {
 public:
  MemoryEventLog() = default;

  Result<AppendResult> Append(AppendRequest request) override;
  Status ScanStored(uint64_t from, Direction direction,
                    const std::function<bool(uint64_t, std::string_view)>& visit) const override;
  Status StreamSequences(std::string_view stream_id, uint64_t from_version, size_t max,
                         std::vector<uint64_t>* out) const override;
  Status ReadOne(uint64_t sequence, RecordedEvent* out) const override;
  Result<uint64_t> StreamVersion(std::string_view stream_id) const override;

 private:
  mutable Mutex mu_;
  std::vector<std::string> values_ GUARDED_BY(mu_);  // values_[sequence - 1]
  std::map<std::string, std::vector<uint64_t>, std::less<>> streams_ GUARDED_BY(mu_);
  std::unordered_map<std::string, AppendResult> idempotency_ GUARDED_BY(mu_);
  Sha256Digest last_hash_ GUARDED_BY(mu_){};
};

}  // namespace rotor
