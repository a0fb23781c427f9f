// RolloutState: one rollout of the fleet projection (kept by FleetRollouts) — its definition, its
// lifecycle flags, and progress counters maintained incrementally from each
// agent's Contribution, so a progress query is O(1) in the number of agents.
//
// Counters of an active rollout are a pure function of the agents' current
// state (the sum of Contribution over all agents); FleetRollouts keeps them
// by subtracting an agent's contribution before a change and adding it after.
// A finalized or cancelled rollout stops changing: it keeps the counters it
// had at that moment. Value type; thread-compatible.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "base/status.h"
#include "events/event_types.h"
#include "events/progress_rule.h"
#include "projections/views.h"

namespace rotor::projections {

class Reader;  // projections/encoding.h

// What one agent adds to one rollout's counters: the progress rule's
// contribution, and where the agent reports from (for the breakdowns).
struct Contribution {
  AgentContribution rule;
  uint32_t gateway = 0;  // interned gateway id (counted agents only)
  uint32_t site = 0;     // interned site (counted agents only)
  bool operator==(const Contribution&) const = default;
};

// Counted agents of one gateway or site.
struct Tally {
  uint32_t total = 0;
  uint32_t received = 0;
  uint32_t stale = 0;
  bool operator==(const Tally&) const = default;
};

using Counters = ProgressCounters;

// Receipts (agents turning "received") per minute over the last hour of log
// time. Times are recorded_at of the events, never a clock.
class ReceiptWindow {
 public:
  static constexpr int kBuckets = 60;
  static constexpr int64_t kBucketMicros = 60'000'000;

  void Add(int64_t at_micros);
  // Receipts in the hour ending at `now_micros` (the minute of `now` included).
  uint64_t CountLastHour(int64_t now_micros) const;
  void Encode(std::string* out) const;
  bool Decode(Reader& in);
  bool operator==(const ReceiptWindow&) const = default;

 private:
  static int64_t Minute(int64_t micros);
  std::array<int64_t, kBuckets> minute_{};
  std::array<uint32_t, kBuckets> count_{};
};

struct RolloutState {
  std::string id;
  RolloutKind kind = RolloutKind::kReplacement;
  uint32_t old_fp = 0;  // interned; 0 = none
  uint32_t new_fp = 0;  // interned; 0 = none (renewals)
  CertificateKind certificate_kind = CertificateKind::kUnspecified;
  ReplacementMode mode = ReplacementMode::kUnspecified;
  uint32_t required_staged_permille = 0;
  RenewalTarget target = RenewalTarget::kUnspecified;
  std::string gateway_id;                          // gateway renewal
  bool explicit_targets = false;                   // renewal of listed agents
  std::unordered_set<uint32_t> targets;            // agent indices
  std::unordered_map<uint32_t, uint32_t> renewed;  // agent index -> new fingerprint id

  bool staged = false;
  bool switched = false;
  bool finalized = false;
  bool cancelled = false;
  bool forced = false;
  int64_t initiated_at = 0;
  int64_t ended_at = 0;
  std::vector<std::pair<uint32_t, GatewayRefreshStep>> pending;  // gateway id, step

  Counters counters;
  std::vector<Tally> by_gateway;  // indexed by interned gateway id
  std::vector<Tally> by_site;     // indexed by interned site
  ReceiptWindow receipts;

  bool active() const { return !finalized && !cancelled; }
  // The facts the progress rule reads (events/progress_rule.h).
  RolloutFacts Facts() const { return {kind, target, explicit_targets}; }
  bool HasPending(GatewayRefreshStep step) const;
  RolloutStatus Status() const;
  // Adds (sign +1) or removes (sign -1) one agent's contribution.
  void Count(const Contribution& c, int sign);
  // Zeroes counters and tallies (before a recount).
  void ResetCounters();

  // The record stored under the rollout's key (targets and renewed entries
  // are stored under their own keys). Decode errors: false.
  void Encode(std::string* out) const;
  bool Decode(std::string_view bytes);
};

}  // namespace rotor::projections
