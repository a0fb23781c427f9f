// Engine::Watch: each rollout whose progress changed, from the StreamHub, for
// GET /v1/stream (SSE) and `rotorctl status --follow`.
#include <algorithm>

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

Status Engine::Watch(const Principal& principal,
                     const std::function<bool(const std::string&)>& on_change) {
  return WatchWithIdle(principal, std::chrono::hours(24 * 365), on_change, [] { return true; });
}

Status Engine::WatchWithIdle(const Principal& principal, std::chrono::milliseconds idle,
                             const std::function<bool(const std::string&)>& on_change,
                             const std::function<bool()>& on_idle) {
  if (principal.name.empty()) return Status::Unauthenticated("missing credential");
  if (!Allows(kReaders, principal.role)) {
    return Status::PermissionDenied("role '" + std::string(RoleName(principal.role)) +
                                    "' may not watch rollout progress");
  }
  std::unique_ptr<StreamHub::Subscription> subscription = core_->hub->Subscribe();
  auto last_activity = std::chrono::steady_clock::now();
  for (;;) {
    auto quiet = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - last_activity);
    auto next = subscription->Next(std::max(idle - quiet, std::chrono::milliseconds(0)));
    if (!next.ok()) return Status::Ok();  // shutting down
    if (next->empty()) {
      if (std::chrono::steady_clock::now() - last_activity < idle) continue;
      last_activity = std::chrono::steady_clock::now();
      if (!on_idle()) return Status::Ok();
      continue;
    }
    last_activity = std::chrono::steady_clock::now();
    for (const std::shared_ptr<const std::string>& progress : *next) {
      if (!on_change(*progress)) return Status::Ok();
    }
  }
}

}  // namespace rotor::app
