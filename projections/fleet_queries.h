// FleetQueries: the fleet projection's read-only queries — rollout progress,
// stale agents, agents (one, a page, a filtered page), certificates and the
// canonical dump — as plain view structs (projections/views.h) built from a
// FleetModel and its FleetRollouts.
//
// A FleetQueries is a cheap view: it holds references to the model and the
// rollouts (which must outlive it and not change while it is used) and the
// projection's "now" (the latest recorded_at folded, for rates). Every
// method is const; concurrent calls are safe while nothing mutates the model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "projections/agent_filter.h"
#include "projections/fleet_model.h"
#include "projections/fleet_rollouts.h"
#include "projections/views.h"

namespace rotor::projections {

class FleetQueries {
 public:
  FleetQueries(const FleetModel& model, const FleetRollouts& rollouts, int64_t now_micros)
      : model_(model), rollouts_(rollouts), now_micros_(now_micros) {}

  // Rollout `rollout_id`'s progress, with by_gateway and by_site filled when
  // `breakdown` (O(gateways + sites)); else O(1) of the fleet. nullopt for an
  // unknown rollout.
  std::optional<RolloutProgress> Progress(std::string_view rollout_id, bool breakdown) const;
  // Every rollout in the order they were initiated (without breakdowns).
  std::vector<RolloutProgress> Rollouts() const;
  // Flagged, not deleted agents, oldest last report first (ties by agent id).
  std::vector<StaleAgent> StaleAgents() const;
  std::optional<AgentView> Agent(std::string_view agent_id) const;
  // Agents in index order (order of first sight), `limit` from `offset`.
  std::vector<AgentView> Agents(size_t offset, size_t limit) const;
  // Agents matching `filter`, `limit` of them from the `offset`-th match, and
  // how many match in all (O(fleet size); fleet_agent_queries.cc); nullopt
  // when the filter names a rollout that does not exist.
  std::optional<AgentPage> FindAgents(const AgentFilter& filter, size_t offset, size_t limit) const;
  // Registered certificates ordered by expiry, then fingerprint.
  std::vector<CertificateView> Certificates() const;
  // Registered, not revoked certificates expiring at or before now + days.
  std::vector<CertificateView> CertificatesDueForRenewal(Time now, int days) const;

  // The whole logical state as text, for comparing two projections
  // (fleet_dump.cc); `last_sequence` heads it.
  std::string Dump(uint64_t last_sequence) const;

 private:
  RolloutProgress MakeProgress(const RolloutState& rollout, bool breakdown) const;
  AgentView MakeAgentView(uint32_t agent) const;
  CertificateView MakeCertView(uint32_t fingerprint, const CertificateRecord& cert) const;

  const FleetModel& model_;
  const FleetRollouts& rollouts_;
  int64_t now_micros_;
};

}  // namespace rotor::projections
