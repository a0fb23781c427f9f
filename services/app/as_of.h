// The read routes' one way to answer "as of" a moment (docs/api.md, "Time
// travel"): a request without `as_of` reads the live projections under their
// runners' locks; one with it reads the read models as they stood then, from
// the engine's AsOfCache (services/app/as_of_cache.h). Internal to
// services/app.
//
// Thread safety: as EngineCore's ReadFleet/ReadAudit.
#pragma once

#include <memory>
#include <utility>

#include "services/app/as_of_cache.h"
#include "services/app/engine_core.h"

namespace rotor::app {

// The read models `request` asks for with `as_of`; null without it. Errors:
// RequestedAsOf's (bad value, role) and ComputeAsOf's.
inline Result<std::shared_ptr<const projections::ReadModels>> ModelsAsOf(
    EngineCore& core, const ApiRequest& request) {
  Result<std::optional<projections::FoldLimit>> limit = RequestedAsOf(request);
  if (!limit.ok()) return limit.status();
  if (!limit->has_value()) return std::shared_ptr<const projections::ReadModels>();
  return core.as_of.Get(*core.log, *core.store, **limit);
}

// `read(fleet)` on the fleet projection `request` asks for: the live one, or
// the one as of its `as_of`. Errors: ModelsAsOf's.
template <typename F>
auto ReadFleetAsOf(EngineCore& core, const ApiRequest& request, F&& read)
    -> Result<decltype(read(std::declval<const projections::FleetProjection&>()))> {
  Result<std::shared_ptr<const projections::ReadModels>> then = ModelsAsOf(core, request);
  if (!then.ok()) return then.status();
  if (*then == nullptr) return core.ReadFleet(std::forward<F>(read));
  return read((*then)->fleet);
}

// As ReadFleetAsOf, for the audit projection.
template <typename F>
auto ReadAuditAsOf(EngineCore& core, const ApiRequest& request, F&& read)
    -> Result<decltype(read(std::declval<const projections::AuditProjection&>()))> {
  Result<std::shared_ptr<const projections::ReadModels>> then = ModelsAsOf(core, request);
  if (!then.ok()) return then.status();
  if (*then == nullptr) return core.ReadAudit(std::forward<F>(read));
  return read((*then)->audit);
}

}  // namespace rotor::app
