// Engine::Watch: follows the log and reports each rollout whose progress
// changed, for GET /v1/stream (SSE) and `rotorctl status --follow`.
#include <unordered_map>

#include "services/app/engine_core.h"
#include "services/app/json_views.h"

namespace rotor::app {
namespace {

using nlohmann::json;

// Progress changes at most this often per watcher; bursts are coalesced.
constexpr std::chrono::milliseconds kMinInterval{100};
// How long one wait for an append lasts before checking shutdown and idleness.
constexpr std::chrono::milliseconds kPoll{250};

// Every rollout's progress, with breakdowns, by rollout id.
std::vector<json> CurrentProgress(const EngineCore& core) {
  return core.ReadFleet([](const projections::FleetProjection& fleet) {
    std::vector<json> out;
    for (const projections::RolloutProgress& summary : fleet.Rollouts()) {
      std::optional<projections::RolloutProgress> p =
          fleet.ProgressWithBreakdown(summary.rollout_id);
      if (p.has_value()) out.push_back(ToJson(*p));
    }
    return out;
  });
}

// The part of a progress object that counts as a change: everything but the
// projection's clock ("as_of"), which moves with every event.
std::string ChangeKey(json progress) {
  progress.erase("as_of");
  return progress.dump();
}

}  // namespace

Status Engine::Watch(const Principal& principal,
                     const std::function<bool(const std::string&)>& on_change) {
  return WatchWithIdle(principal, std::chrono::hours(24 * 365), on_change, [] { return true; });
}

Status Engine::WatchWithIdle(const Principal& principal, std::chrono::milliseconds idle,
                             const std::function<bool(const std::string&)>& on_change,
                             const std::function<bool()>& on_idle) {
  EngineCore& c = *core_;
  if (principal.name.empty()) return Status::Unauthenticated("missing credential");
  if (!Allows(kReaders, principal.role)) {
    return Status::PermissionDenied("role '" + std::string(RoleName(principal.role)) +
                                    "' may not watch rollout progress");
  }
  std::unordered_map<std::string, std::string> last;  // rollout id -> ChangeKey
  auto last_activity = std::chrono::steady_clock::now();
  while (!c.shutting_down.load(std::memory_order_acquire)) {
    uint64_t head = c.log->Head();
    (void)c.WaitForProjections(head, std::chrono::seconds(2));
    for (json& progress : CurrentProgress(c)) {
      std::string id = progress.value("rollout_id", "");
      std::string key = ChangeKey(progress);
      auto it = last.find(id);
      if (it != last.end() && it->second == key) continue;
      last[id] = std::move(key);
      last_activity = std::chrono::steady_clock::now();
      if (!on_change(progress.dump(-1, ' ', false, json::error_handler_t::replace))) {
        return Status::Ok();
      }
    }
    // Coalesce bursts, then wait for the next append (or shutdown, or idleness).
    {
      std::unique_lock<std::mutex> lock(c.progress_mu);
      c.progress_cv.wait_for(lock, kMinInterval,
                             [&] { return c.shutting_down.load(std::memory_order_acquire); });
    }
    while (!c.shutting_down.load(std::memory_order_acquire) &&
           c.log->WaitForAppend(head, kPoll) <= head) {
      if (std::chrono::steady_clock::now() - last_activity >= idle) {
        last_activity = std::chrono::steady_clock::now();
        if (!on_idle()) return Status::Ok();
      }
      if (c.log->closed()) break;
    }
  }
  return Status::Ok();
}

}  // namespace rotor::app
