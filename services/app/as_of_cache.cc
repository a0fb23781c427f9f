#include "services/app/as_of_cache.h"

#include "services/app/engine_core.h"
#include "services/app/router.h"

namespace rotor::app {

Result<projections::FoldLimit> ParseAsOf(const ApiRequest& request) {
  auto it = request.query.find("as_of");
  if (it == request.query.end() || it->second.empty()) {
    return Status::InvalidArgument(
        "missing query parameter 'as_of' (a sequence number or an RFC 3339 time)");
  }
  const std::string& text = it->second;
  if (text.find_first_not_of("0123456789") == std::string::npos) {
    Result<uint64_t> sequence = QueryNumber(request, "as_of", 0, UINT64_MAX - 1);
    if (!sequence.ok()) return sequence.status();
    return projections::FoldLimit::AtSequence(*sequence);
  }
  Result<Time> time = ParseTime(text);
  if (!time.ok()) return time.status().WithContext("query parameter 'as_of'");
  return projections::FoldLimit::AtTime(*time);
}

Result<std::optional<projections::FoldLimit>> RequestedAsOf(const ApiRequest& request) {
  auto it = request.query.find("as_of");
  if (it == request.query.end()) return std::optional<projections::FoldLimit>();
  if (!Allows(kAuditor, request.principal.role)) {
    return Status::PermissionDenied(
        "query parameter 'as_of' (time travel) is for the admin and auditor roles, as GET "
        "/v1/replay; '" +
        request.principal.name + "' has role " + std::string(RoleName(request.principal.role)));
  }
  Result<projections::FoldLimit> limit = ParseAsOf(request);
  if (!limit.ok()) return limit.status();
  return std::optional<projections::FoldLimit>(*limit);
}

Result<std::shared_ptr<const projections::ReadModels>> AsOfCache::Get(
    const EventLog& log, const projections::ProjectionStore& snapshots,
    const projections::FoldLimit& limit) {
  const uint64_t head = log.Head();
  {
    MutexLock lock(&mu_);
    if (latest_.has_value() && latest_->limit.sequence == limit.sequence &&
        latest_->limit.time == limit.time && (latest_->final || latest_->head == head)) {
      return latest_->models;
    }
  }
  Result<std::unique_ptr<projections::ReadModels>> models =
      projections::ComputeAsOf(log, limit, {}, &snapshots);
  if (!models.ok()) return models.status();
  Entry entry{limit, head, false, std::move(*models)};
  // A fold that stopped before the head it saw stopped at its limit: an
  // append comes after the head, so it cannot move that point.
  entry.final = entry.models->folded.last.sequence < head;
  MutexLock lock(&mu_);
  latest_ = entry;
  return entry.models;
}

}  // namespace rotor::app
