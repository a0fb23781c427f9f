#include "events/memory_event_log.h"

namespace rotor {

Result<AppendResult> MemoryEventLog::Append(AppendRequest request) {
  ROTOR_RETURN_IF_ERROR(ValidateAppendRequest(request));
  if (closed()) return Status::Cancelled("event log is closed");
  uint64_t head = 0;
  AppendResult result;
  {
    MutexLock lock(&mu_);
    if (!request.idempotency_key.empty()) {
      auto it = idempotency_.find(request.idempotency_key);
      if (it != idempotency_.end()) {
        AppendResult dup = it->second;
        dup.duplicate = true;
        return dup;
      }
    }
    auto stream = streams_.find(request.stream_id);
    uint64_t current = stream == streams_.end() ? 0 : stream->second.size();
    ROTOR_RETURN_IF_ERROR(request.expected.Check(request.stream_id, current));
    std::vector<std::pair<uint64_t, std::string>> sealed;
    result = SealAppend(request, values_.size() + 1, current, &last_hash_, &sealed);
    std::vector<uint64_t>& sequences = streams_[request.stream_id];
    for (auto& [seq, value] : sealed) {
      values_.push_back(std::move(value));
      sequences.push_back(seq);
    }
    if (!request.idempotency_key.empty()) idempotency_[request.idempotency_key] = result;
    head = values_.size();
  }
  PublishHead(head);
  return result;
}

Status MemoryEventLog::ScanStored(
    uint64_t from, Direction direction,
    const std::function<bool(uint64_t, std::string_view)>& visit) const {
  MutexLock lock(&mu_);
  uint64_t n = values_.size();
  if (direction == Direction::kForward) {
    for (uint64_t seq = from == 0 ? 1 : from; seq <= n; ++seq) {
      if (!visit(seq, values_[seq - 1])) break;
    }
  } else {
    for (uint64_t seq = from > n ? n : from; seq >= 1; --seq) {
      if (!visit(seq, values_[seq - 1])) break;
    }
  }
  return Status::Ok();
}

Status MemoryEventLog::StreamSequences(std::string_view stream_id, uint64_t from_version,
                                       size_t max, std::vector<uint64_t>* out) const {
  out->clear();
  if (stream_id.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("stream id contains a NUL byte");
  }
  MutexLock lock(&mu_);
  auto it = streams_.find(stream_id);
  if (it == streams_.end()) return Status::Ok();
  const std::vector<uint64_t>& seqs = it->second;
  for (uint64_t v = from_version == 0 ? 1 : from_version; v <= seqs.size() && out->size() < max;
       ++v) {
    out->push_back(seqs[v - 1]);
  }
  return Status::Ok();
}

Status MemoryEventLog::ReadOne(uint64_t sequence, RecordedEvent* out) const {
  MutexLock lock(&mu_);
  if (sequence == 0 || sequence > values_.size()) {
    return Status::NotFound("sequence " + std::to_string(sequence) + " is not in the log");
  }
  return DecodeStoredRecord(sequence, values_[sequence - 1], out);
}

Result<uint64_t> MemoryEventLog::StreamVersion(std::string_view stream_id) const {
  MutexLock lock(&mu_);
  auto it = streams_.find(stream_id);
  return it == streams_.end() ? uint64_t{0} : static_cast<uint64_t>(it->second.size());
}

}  // namespace rotor
