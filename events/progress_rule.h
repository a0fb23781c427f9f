// The article's progress rule, written once: who a rollout counts, who has
// received, and what a rollout's status is called. The deciders (the finalize
// gate, the finalize refusal's numbers, "is this renewal still running") and
// the fleet projection (every progress a dashboard shows) both call these
// functions, so they cannot give two answers. docs/projections.md states the
// rule in words.
//
// The primitive is one agent's contribution to one rollout (Contribute); a
// rollout's counters are the sum of its agents' contributions
// (ProgressCounters::Add with sign +1), and a caller that keeps counters
// incrementally subtracts an agent's contribution before a change and adds it
// after (sign -1, then +1).
//
// Pure functions on plain facts: no I/O, no clock, no state. Thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "events/event_types.h"

namespace rotor {

enum class RolloutKind : uint8_t { kReplacement = 0, kRenewal = 1 };

// "replacement", "renewal".
std::string_view RolloutKindName(RolloutKind kind);

// What the rule needs to know about a rollout.
struct RolloutFacts {
  RolloutKind kind = RolloutKind::kReplacement;
  RenewalTarget target = RenewalTarget::kUnspecified;  // renewals
  bool explicit_targets = false;                       // a renewal of listed agents
};

// What the rule needs to know about one agent, relative to one rollout.
struct AgentFacts {
  bool reported = false;       // it has reported an inventory at least once
  bool deleted = false;        // its resource was deleted (and it has not reported since)
  bool stale = false;          // flagged stale (stopped communicating)
  bool revoked = false;        // its CEM agent certificate was revoked
  bool cloud_enabled = false;  // its latest report says cloud-enabled
  bool targeted = false;       // listed by the rollout (a renewal of listed agents)
  bool holds_old = false;      // latest inventory holds the replacement's OLD certificate
  // Latest inventory holds the certificate that means "received": the
  // replacement's new certificate, or the one the renewal recorded for this agent.
  bool holds_new = false;
};

// One agent's contribution to one rollout's counters.
struct AgentContribution {
  bool counted = false;    // in `total`
  bool received = false;   // counted and has received
  bool stale = false;      // counted and flagged stale
  bool revoked = false;    // counted and its CEM certificate revoked
  bool uncounted = false;  // live, has reported, not counted
  bool operator==(const AgentContribution&) const = default;
};

// The rule:
// - A deleted agent contributes nothing (it leaves every statistic).
// - Replacement: counted when the agent's latest inventory holds the OLD
//   certificate (the article's denominator: an agent that never reported the
//   old certificate is not counted); received when it also holds the new one.
//   Stale and revoked agents stay counted until their resource is deleted.
// - CEM agent renewal: counted when targeted (the listed agents, or every
//   agent whose latest report is cloud-enabled) and not revoked: a revoked
//   agent is never issued a renewed certificate (the decider refuses), so it
//   is not outstanding. Received when its latest inventory holds the
//   certificate the renewal recorded for it.
// - Gateway reporting-certificate renewal: counts no agent.
AgentContribution Contribute(const RolloutFacts& rollout, const AgentFacts& agent);

// A rollout's counters: the sum of its agents' contributions.
struct ProgressCounters {
  uint64_t total = 0;
  uint64_t received = 0;
  uint64_t stale = 0;              // counted agents flagged stale
  uint64_t stale_outstanding = 0;  // of those, not yet received
  uint64_t revoked = 0;            // counted agents whose CEM certificate is revoked
  uint64_t not_counted = 0;        // live agents with an inventory, not counted

  // Adds (sign +1) or removes (sign -1) one agent's contribution.
  void Add(const AgentContribution& c, int sign = +1);
  uint64_t Outstanding() const { return total - received; }
  bool operator==(const ProgressCounters&) const = default;
};

enum class RolloutStatus : uint8_t {
  kInitiated = 0,                // active, no counted agent has the new certificate yet
  kStaged = 1,                   // pre-staged: in the communication profile, bindings not switched
  kDistributing = 2,             // active, some agents received it, some are outstanding
  kReadyToFinalize = 3,          // replacement: none outstanding, no after-initiate refresh pending
  kFinalized = 4,                //
  kFinalizedRefreshPending = 5,  // finalized; an after-finalize gateway refresh is pending
  kCancelled = 6,                //
  kCompleted = 7,                // renewal: none outstanding, no gateway refresh pending
};

// "initiated", "staged", "distributing", "ready to finalize", "finalized",
// "finalized, gateway refresh pending", "cancelled", "completed".
std::string_view RolloutStatusName(RolloutStatus status);

// What the status needs to know about a rollout's lifecycle.
struct LifecycleFacts {
  RolloutKind kind = RolloutKind::kReplacement;
  bool finalized = false;
  bool cancelled = false;
  bool pre_staged = false;              // replacement in the pre-staged mode
  bool staged = false;                  // pre-staged: the certificate is in a profile
  bool switched = false;                // pre-staged: the server's bindings were switched
  bool pending_after_initiate = false;  // an after-initiate gateway refresh is pending
  bool pending_after_finalize = false;  // an after-finalize gateway refresh is pending
  bool pending_any = false;             // any gateway refresh is pending
};

// The one status vocabulary: every view and decider names a rollout's state with it.
RolloutStatus StatusOf(const LifecycleFacts& lifecycle, const ProgressCounters& counters);

}  // namespace rotor
