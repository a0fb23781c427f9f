// Time travel on the read routes: the `as_of` query parameter (a sequence
// number or an RFC 3339 time) that GET /v1/replay and every read route the
// console shows accept, and AsOfCache, the read models as they stood at that
// moment (projections::ComputeAsOf from the projection snapshots). The
// console asks one moment for many things (rollouts, a rollout, its chart,
// pages and filters of its agent lists, an agent); the cache keeps the read
// models of the latest moment asked, so those cost one fold. A kept entry
// whose fold stopped before the log's head is final (later appends come
// after it); one that reached the head is reused only while the head has not
// moved. The cache holds one moment's models (a copy of the fleet projection
// as it stood then) until another moment is asked.
//
// Thread safety: ParseAsOf and RequestedAsOf are pure. AsOfCache is
// thread-safe; the models it hands out are shared and never changed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/mutex.h"
#include "base/status.h"
#include "events/event_log.h"
#include "projections/fold.h"
#include "projections/store.h"
#include "services/app/api.h"

namespace rotor::app {

// The moment query parameter `as_of` of `request` names: digits only are a
// sequence number, anything else an RFC 3339 time. Errors: kInvalidArgument
// naming the parameter when it is missing or malformed.
Result<projections::FoldLimit> ParseAsOf(const ApiRequest& request);

// The moment `request` asks for with `as_of`; nullopt when it has none.
// Errors: ParseAsOf's; kPermissionDenied when the principal's role may not
// travel in time (admin and auditor may, as they may GET /v1/replay).
Result<std::optional<projections::FoldLimit>> RequestedAsOf(const ApiRequest& request);

class AsOfCache {
 public:
  // The read models as of `limit`, folded from the newest usable snapshot in
  // `snapshots`, or the kept ones when they answer the same. Errors:
  // ComputeAsOf's.
  Result<std::shared_ptr<const projections::ReadModels>> Get(
      const EventLog& log, const projections::ProjectionStore& snapshots,
      const projections::FoldLimit& limit) EXCLUDES(mu_);

 private:
  struct Entry {
    projections::FoldLimit limit;
    uint64_t head = 0;   // the log's head when it was computed
    bool final = false;  // no later append can change it
    std::shared_ptr<const projections::ReadModels> models;
  };
  Mutex mu_;
  std::optional<Entry> latest_ GUARDED_BY(mu_);
};

}  // namespace rotor::app
