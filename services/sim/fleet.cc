// The simulated fleet. See fleet.h.
#include "services/sim/fleet.h"

#include <algorithm>
#include <cstdio>

namespace rotor::sim {
namespace {

constexpr const char* kSites[] = {"london", "frankfurt", "new-york", "singapore",
                                  "sydney", "sao-paulo", "tokyo",    "toronto"};
constexpr size_t kSiteNames = sizeof(kSites) / sizeof(kSites[0]);

std::string SiteName(int i) {
  std::string name = kSites[i % kSiteNames];
  if (i >= static_cast<int>(kSiteNames)) name += "-" + std::to_string(i / kSiteNames + 1);
  return name;
}

void Apply(std::vector<std::string>& inventory, const ScheduledChange& c) {
  if (!c.remove.empty()) {
    inventory.erase(std::remove(inventory.begin(), inventory.end(), c.remove), inventory.end());
  }
  if (!c.add.empty() && !Fleet::Holds(inventory, c.add)) {
    inventory.push_back(c.add);
    std::sort(inventory.begin(), inventory.end());
  }
}

}  // namespace

Fleet::Fleet(const FleetOptions& options, Time start, std::string run_tag)
    : options_(options), rng_(options.seed), run_tag_(std::move(run_tag)) {
  for (int g = 0; g < options_.gateways; ++g) {
    gateways_.push_back({"gw-" + std::to_string(g + 1), g % 2 == 0});
  }
  const int n = options_.holders + options_.others;
  std::vector<char> holder(n, 0);
  std::fill(holder.begin(), holder.begin() + options_.holders, 1);
  for (int i = n - 1; i > 0; --i) {
    size_t j = rng_.Below(i + 1);
    std::swap(holder[i], holder[j]);
  }
  agents_.resize(n);
  std::vector<size_t> laptops;
  for (int i = 0; i < n; ++i) {
    SimAgent& a = agents_[i];
    char id[32];
    std::snprintf(id, sizeof id, "agent-%04d", i + 1);
    a.id = id;
    a.holder = holder[i] != 0;
    a.site = SiteName(static_cast<int>(rng_.Below(std::max(options_.sites, 1))));
    a.cloud = rng_.Chance(options_.cloud_share);
    if (a.cloud && !gateways_.empty()) a.gateway = static_cast<int>(rng_.Below(gateways_.size()));
    a.silent = rng_.Chance(options_.silent_share);
    a.next_report =
        start + Micros(static_cast<int64_t>(rng_.Uniform() *
                                            static_cast<double>(options_.report_interval.count())));
    if (a.cloud && a.holder && !a.silent) laptops.push_back(i);
  }
  if (!laptops.empty()) {
    lost_ = laptops[rng_.Below(laptops.size())];
    agents_[lost_].lost = true;
  }
}

bool Fleet::Holds(const std::vector<std::string>& inventory, const std::string& fingerprint) {
  return std::find(inventory.begin(), inventory.end(), fingerprint) != inventory.end();
}

void Fleet::AddToInventory(const std::string& fingerprint, bool holders_only) {
  for (SimAgent& a : agents_) {
    if (holders_only && !a.holder) continue;
    Apply(a.inventory, ScheduledChange{{}, fingerprint, {}, 0});
  }
}

void Fleet::Schedule(size_t agent, ScheduledChange change) {
  agents_[agent].changes.push_back(std::move(change));
}

void Fleet::Delete(size_t agent) {
  agents_[agent].deleted = true;
  in_flight_.erase(std::remove_if(in_flight_.begin(), in_flight_.end(),
                                  [&](const Delivery& d) { return d.agent == agent; }),
                   in_flight_.end());
}

Micros Fleet::NextInterval() {
  double factor = 1.0 + rng_.Between(-options_.jitter, options_.jitter);
  return Micros(
      static_cast<int64_t>(static_cast<double>(options_.report_interval.count()) * factor));
}

void Fleet::Report(size_t index, std::vector<Applied>* applied) {
  SimAgent& a = agents_[index];
  const Time at = a.next_report;
  auto due = std::stable_partition(a.changes.begin(), a.changes.end(),
                                   [&](const ScheduledChange& c) { return c.at > at; });
  for (auto it = due; it != a.changes.end(); ++it) {
    Apply(a.inventory, *it);
    if (it->tag != 0 && applied != nullptr) applied->push_back({index, it->tag, at});
  }
  a.changes.erase(due, a.changes.end());
  ++a.reports;
  Delivery d;
  d.deliver_at = at;
  d.agent = index;
  d.report_id = run_tag_ + "-" + a.id + "-" + std::to_string(a.reports);
  d.reported_at = at;
  d.inventory = a.inventory;
  if (rng_.Chance(options_.out_of_order_share)) {
    d.deliver_at = at + options_.report_interval * 3 / 2;  // after the agent's next report
  }
  d.order = order_++;
  if (rng_.Chance(options_.duplicate_share)) {
    Delivery copy = d;
    copy.duplicate = true;
    copy.deliver_at = d.deliver_at + Micros(static_cast<int64_t>(rng_.Between(1, 6) * 3.6e9));
    copy.order = order_++;
    in_flight_.push_back(std::move(copy));
  }
  in_flight_.push_back(std::move(d));
}

std::vector<Delivery> Fleet::Advance(Time to, std::vector<Applied>* applied) {
  for (size_t i = 0; i < agents_.size(); ++i) {
    SimAgent& a = agents_[i];
    while (!a.deleted && a.next_report < to && !(a.silent && a.reports > 0)) {
      Report(i, applied);
      a.next_report += NextInterval();
    }
  }
  auto due = std::stable_partition(in_flight_.begin(), in_flight_.end(),
                                   [&](const Delivery& d) { return d.deliver_at >= to; });
  std::vector<Delivery> out(std::make_move_iterator(due),
                            std::make_move_iterator(in_flight_.end()));
  in_flight_.erase(due, in_flight_.end());
  std::sort(out.begin(), out.end(), [](const Delivery& x, const Delivery& y) {
    return x.deliver_at != y.deliver_at ? x.deliver_at < y.deliver_at : x.order < y.order;
  });
  return out;
}

void Fleet::Delivered(const Delivery& d) {
  SimAgent& a = agents_[d.agent];
  if (a.revoked || d.reported_at <= a.delivered_at) return;
  a.delivered_at = d.reported_at;
  a.delivered = d.inventory;
}

}  // namespace rotor::sim
