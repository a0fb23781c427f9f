#include "projections/fold.h"

#include "projections/event_decoder.h"

namespace rotor::projections {

Result<FoldResult> FoldLog(const EventLog& log, uint64_t from, const FoldLimit& limit,
                           std::span<Projection* const> projections) {
  FoldResult result;
  uint64_t next = from == 0 ? 1 : from;
  uint64_t last = std::min(limit.sequence, log.Head());
  if (next > last) return result;
  std::optional<int64_t> until;
  if (limit.time.has_value()) until = ToMicros(*limit.time);
  Status failure;
  bool stopped = false;
  EventDecoder decoder;
  Status scan = log.ForEach(next, [&](const RecordedEvent& record) {
    if (record.sequence != next) {
      failure = Status::Internal("gap in the log: expected sequence " + std::to_string(next) +
                                 ", found " + std::to_string(record.sequence));
      return false;
    }
    if (until.has_value() && ToMicros(record.recorded_at) > *until) {
      stopped = true;
      return false;
    }
    Result<const Event*> event = decoder.Decode(record);
    if (!event.ok()) {
      failure = event.status();
      return false;
    }
    for (Projection* p : projections) p->Apply(record, **event);
    ++result.events;
    result.last = {record.sequence, record.recorded_at, record.hash};
    ++next;
    if (record.sequence >= last) {
      stopped = true;
      return false;
    }
    return true;
  });
  ROTOR_RETURN_IF_ERROR(scan);
  ROTOR_RETURN_IF_ERROR(failure);
  if (!stopped && next <= last) {
    return Status::Internal("gap in the log: sequence " + std::to_string(next) +
                            " is missing (head " + std::to_string(last) + ")");
  }
  return result;
}

Result<std::unique_ptr<ReadModels>> ComputeAsOf(const EventLog& log, const FoldLimit& limit) {
  auto models = std::make_unique<ReadModels>();
  Projection* projections[] = {&models->fleet, &models->audit};
  Result<FoldResult> folded = FoldLog(log, 1, limit, projections);
  if (!folded.ok()) return folded.status();
  models->folded = *folded;
  return models;
}

}  // namespace rotor::projections
