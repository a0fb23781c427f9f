// Fleet: the simulated agents, gateways and sites, on virtual time. Each
// agent reports its certificate inventory every report interval (with
// jitter); scheduled changes (a new certificate picked up, a renewal
// received) take effect at the agent's first report at or after their time.
// A share of agents goes silent after its first report, one cloud-enabled
// agent is the lost laptop, and a share of reports is delivered twice or
// late (after the agent's next report). The fleet also keeps the server's
// view: each agent's latest delivered inventory, so a scenario knows when
// every live agent has received a certificate without asking the server.
//
// Deterministic: the same options and seed give the same reports.
// Ownership: owns its agents. Thread-compatible.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/time.h"
#include "services/sim/rng.h"

namespace rotor::sim {

struct FleetOptions {
  uint64_t seed = 1;
  int holders = 2393;  // agents whose inventory holds the certificates being replaced
  int others = 107;    // agents that hold none of them (not counted)
  int gateways = 4;    // Internet gateways; every second one has auto-refresh off
  int sites = 5;
  double cloud_share = 0.35;    // cloud-enabled agents report through a gateway
  double silent_share = 0.015;  // stop reporting after their first report
  Micros report_interval = std::chrono::hours(8);
  double jitter = 0.25;               // each interval varies by up to this share
  double duplicate_share = 0.01;      // reports delivered twice
  double out_of_order_share = 0.005;  // reports delivered after the agent's next one
};

struct SimGateway {
  std::string id;
  bool auto_refresh = true;
};

// A change to an agent's inventory (or a tagged event for the scenario) that
// takes effect at its first report at or after `at`.
struct ScheduledChange {
  Time at;
  std::string add;     // fingerprint added to the inventory, or ""
  std::string remove;  // fingerprint removed, or ""
  int tag = 0;         // non-zero: reported back by Advance when applied
};

struct SimAgent {
  std::string id;
  int gateway = -1;  // index into gateways(); -1 reports directly
  std::string site;
  bool cloud = false;
  bool holder = false;
  bool silent = false;   // stops after its first report
  bool lost = false;     // the lost laptop
  bool revoked = false;  // the server rejects its reports
  bool deleted = false;  // its resource was deleted; the sim stops it
  std::vector<std::string> inventory;
  std::vector<ScheduledChange> changes;
  Time next_report;
  uint64_t reports = 0;
  // The server's view: the latest delivered (accepted) report.
  Time delivered_at{};
  std::vector<std::string> delivered;
};

// One report on its way to the server.
struct Delivery {
  Time deliver_at;
  uint64_t order = 0;  // tie-break, for determinism
  size_t agent = 0;
  std::string report_id;
  Time reported_at;
  std::vector<std::string> inventory;
  bool duplicate = false;  // the second copy of a report
};

// A tagged change that took effect: the scenario acts on it.
struct Applied {
  size_t agent = 0;
  int tag = 0;
  Time at;
};

class Fleet {
 public:
  // Agents' first reports fall in [start, start + report interval).
  // `run_tag` prefixes report ids so that a second run on the same data
  // directory does not collide with the first.
  Fleet(const FleetOptions& options, Time start, std::string run_tag);

  std::vector<SimAgent>& agents() { return agents_; }
  const std::vector<SimAgent>& agents() const { return agents_; }
  const std::vector<SimGateway>& gateways() const { return gateways_; }
  Rng& rng() { return rng_; }
  const FleetOptions& options() const { return options_; }
  // Index of the lost laptop.
  size_t lost_laptop() const { return lost_; }

  // Adds `fingerprint` to the inventory of every holder (or every agent).
  void AddToInventory(const std::string& fingerprint, bool holders_only);
  void Schedule(size_t agent, ScheduledChange change);
  // The agent's resource was deleted: it stops reporting, and its reports
  // still in flight are dropped (a newer report would bring it back).
  void Delete(size_t agent);

  // Generates every report taken before `to`, applies due changes, and
  // returns the deliveries due before `to` in delivery order; `applied`
  // receives the tagged changes that took effect.
  std::vector<Delivery> Advance(Time to, std::vector<Applied>* applied);
  // Records that the server accepted `delivery` (updates its view).
  void Delivered(const Delivery& delivery);

  // True when every live agent (reporting, not deleted, not revoked) for
  // which `counted` holds has delivered an inventory holding `fingerprint`.
  template <typename Pred>
  bool AllLiveDelivered(const std::string& fingerprint, Pred counted) const {
    for (const SimAgent& a : agents_) {
      if (a.silent || a.deleted || a.revoked || !counted(a)) continue;
      if (!Holds(a.delivered, fingerprint)) return false;
    }
    return true;
  }

  static bool Holds(const std::vector<std::string>& inventory, const std::string& fingerprint);

 private:
  Micros NextInterval();
  void Report(size_t index, std::vector<Applied>* applied);

  FleetOptions options_;
  Rng rng_;
  std::string run_tag_;
  std::vector<SimAgent> agents_;
  std::vector<SimGateway> gateways_;
  std::vector<Delivery> in_flight_;
  uint64_t order_ = 0;
  size_t lost_ = 0;
};

}  // namespace rotor::sim
