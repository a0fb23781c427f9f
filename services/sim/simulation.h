// Simulation: virtual time for one simulator run. Each tick moves the
// server's clock (POST /v1/clock), delivers the fleet's reports due in the
// tick (POST /v1/reports:batch) and sweeps for stale agents on schedule.
// Distribute() drives one rollout from initiation to the end of
// distribution: it runs timed actions (gateway refreshes, the lost laptop's
// revocation), prints a progress line per simulated day, shows once that
// finalize is refused while agents are outstanding, and, when every live
// agent has the certificate, flags the silent agents stale and deletes the
// dead resources so that nothing is outstanding.
//
// Ownership: borrows the API and the fleet. Single-threaded.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/time.h"
#include "services/sim/fleet.h"
#include "services/sim/sim_api.h"

namespace rotor::sim {

struct SimOptions {
  Time start;
  Micros tick = std::chrono::hours(1);
  Micros stale_threshold = std::chrono::hours(48);
  Micros sweep_every = std::chrono::hours(6);
  int max_days = 30;  // a rollout that takes longer fails the run
};

// An action at a virtual time, e.g. "refresh gateway gw-2".
struct TimedAction {
  Time at;
  std::function<Status()> run;
  bool done = false;
};

struct RolloutPlan {
  std::string rollout_id;
  Time origin;  // day 0
  // True when every live counted agent has delivered what the rollout waits for.
  std::function<bool()> delivered;
  std::vector<TimedAction> actions;
  // Called with the tagged fleet changes that took effect in a tick.
  std::function<Status(const std::vector<Applied>&)> on_applied;
  // Called with the rollout's progress after every tick, when set.
  std::function<Status(const json& progress)> on_progress;
  // Replacement: try to finalize once while agents are outstanding, to show
  // the refusal with its numbers.
  bool show_refusal = false;
};

class Simulation {
 public:
  Simulation(SimApi& api, Fleet& fleet, SimOptions options);

  Time now() const { return now_; }
  SimApi& api() { return api_; }
  Fleet& fleet() { return fleet_; }
  const SimOptions& options() const { return options_; }

  // Moves the clock to `t` without delivering anything (t >= now).
  Status SetNow(Time t);
  // Ticks until `to`, delivering reports on the way.
  Status AdvanceTo(Time to, std::vector<Applied>* applied = nullptr);
  // Flags stale agents now (POST /v1/sweeps/stale). Returns how many.
  Result<size_t> Sweep();
  // Drives `plan` until nothing is outstanding (see the file comment).
  // Errors: the first failed request; kDeadlineExceeded after max_days.
  Status Distribute(RolloutPlan& plan);
  // The rollout's progress (GET /v1/rollouts/{id}).
  Result<json> Progress(const std::string& rollout_id);
  // Deletes the resources of stale agents the fleet knows are dead (silent,
  // or the revoked laptop). Returns how many were deleted.
  Result<size_t> DeleteDeadAgents();

  // "[2026-11-03 04:00] <text>".
  void Log(const std::string& text) const;
  // "day 3: 2076 of 2393 agents received the new certificate (40 stale, ETA 1d 4h)".
  static std::string DayLine(int day, const json& progress);

  uint64_t ingested() const { return ingested_; }
  uint64_t duplicates() const { return duplicates_; }
  uint64_t rejected() const { return rejected_; }

 private:
  Status Tick(std::vector<Applied>* applied);
  Status RunDueActions(RolloutPlan& plan);
  Status TryFinalizeEarly(const std::string& rollout_id, const json& progress);

  SimApi& api_;
  Fleet& fleet_;
  SimOptions options_;
  Time now_;
  Time last_sweep_;
  uint64_t ingested_ = 0;
  uint64_t duplicates_ = 0;
  uint64_t rejected_ = 0;
  bool refusal_shown_ = false;
};

// "1d 4h", "3h 12m", "40s".
std::string FormatEta(int64_t seconds);

}  // namespace rotor::sim
