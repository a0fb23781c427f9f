// Engine::Watch and Engine::OpenFeed: each rollout whose progress changed,
// from the StreamHub, for `rotorctl status --follow` and GET /v1/stream (SSE).
#include "services/app/engine_core.h"
#include "services/app/json_views.h"

namespace rotor::app {
namespace {

using nlohmann::json;

// The part of a progress object that counts as a change: everything but the
// projection's clock ("as_of"), which moves with every event.
std::string ChangeKey(json progress) {
  progress.erase("as_of");
  return progress.dump();
}

}  // namespace

StreamHub::Compute ProgressFeed(const EngineCore& core) {
  return [&core] {
    return core.ReadFleet([](const projections::FleetProjection& fleet) {
      std::vector<StreamHub::Progress> out;
      for (const projections::RolloutProgress& summary : fleet.Rollouts()) {
        std::optional<projections::RolloutProgress> p =
            fleet.ProgressWithBreakdown(summary.rollout_id);
        if (!p.has_value()) continue;
        json progress = ToJson(*p);
        std::string text = progress.dump(-1, ' ', false, json::error_handler_t::replace);
        out.push_back({summary.rollout_id, ChangeKey(std::move(progress)), std::move(text)});
      }
      return out;
    });
  };
}

namespace {

// The one rule of who may watch rollout progress (Watch, OpenFeed).
Status CheckMayWatch(const Principal& principal) {
  if (principal.name.empty()) return Status::Unauthenticated("missing credential");
  if (!Allows(kReaders, principal.role)) {
    return Status::PermissionDenied("role '" + std::string(RoleName(principal.role)) +
                                    "' may not watch rollout progress");
  }
  return Status::Ok();
}

}  // namespace

Status Engine::Watch(const Principal& principal,
                     const std::function<bool(const std::string&)>& on_change) {
  ROTOR_RETURN_IF_ERROR(CheckMayWatch(principal));
  std::unique_ptr<StreamHub::Subscription> subscription = core_->hub->Subscribe();
  for (;;) {
    auto next = subscription->Next(std::chrono::hours(24));
    if (!next.ok()) return Status::Ok();  // shutting down
    for (const std::shared_ptr<const std::string>& progress : *next) {
      if (!on_change(*progress)) return Status::Ok();
    }
  }
}

Result<std::unique_ptr<LiveFeed>> Engine::OpenFeed(const Principal& principal,
                                                   std::function<void()> wake) {
  ROTOR_RETURN_IF_ERROR(CheckMayWatch(principal));
  return std::unique_ptr<LiveFeed>(core_->hub->Subscribe(std::move(wake)));
}

}  // namespace rotor::app
