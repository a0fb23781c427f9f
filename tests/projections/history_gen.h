// Random event histories for the property and kill tests: a small fleet
// (agents, certificates, gateways, sites, rollouts) and every event type,
// including the awkward cases — reports older than the latest, stale flags
// computed before a newer report, reports after deletion, refreshes without a
// rollout, duplicate initiations, events about unknown rollouts and agents.
// Deterministic for a seed. Test-only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "tests/projections/test_util.h"

namespace rotor::projections::testing {

struct HistoryShape {
  size_t events = 150;
  size_t agents = 12;
  size_t fingerprints = 5;
  size_t rollouts = 4;
};

std::vector<TimedEvent> RandomHistory(uint64_t seed, const HistoryShape& shape);

}  // namespace rotor::projections::testing
