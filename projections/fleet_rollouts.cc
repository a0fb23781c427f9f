// FleetProjection: folding rollout lifecycle events (replacements, renewals,
// gateway refresh steps).
#include <algorithm>

#include "projections/fleet_projection.h"

namespace rotor::projections {

RolloutState* FleetProjection::NewRollout(const RecordedEvent& r, std::string_view id) {
  if (id.empty() || rollout_index_.contains(id)) return nullptr;
  auto index = static_cast<uint32_t>(rollouts_.size());
  rollout_index_.emplace(std::string(id), index);
  RolloutState& rollout = rollouts_.emplace_back();
  rollout.id = std::string(id);
  rollout.initiated_at = ToMicros(r.recorded_at);
  active_.push_back(index);
  MarkRollout(index);
  return &rollout;
}

void FleetProjection::Recount(RolloutState& rollout) {
  rollout.ResetCounters();
  auto n = static_cast<uint32_t>(agents_.size());
  for (uint32_t a = 0; a < n; ++a) rollout.Count(Contribute(rollout, a), +1);
}

void FleetProjection::EndRollout(RolloutState& rollout, const RecordedEvent& r) {
  uint32_t index = IndexOf(rollout);
  rollout.ended_at = ToMicros(r.recorded_at);
  active_.erase(std::remove(active_.begin(), active_.end(), index), active_.end());
  MarkRollout(index);
}

void FleetProjection::On(const RecordedEvent& r, const ReplacementInitiated& e) {
  uint32_t old_fp = InternFingerprint(e.old_fingerprint);
  uint32_t new_fp = InternFingerprint(e.new_fingerprint);
  RolloutState* rollout = NewRollout(r, e.rollout_id);
  if (rollout == nullptr) return;
  rollout->kind = RolloutKind::kReplacement;
  rollout->old_fp = old_fp;
  rollout->new_fp = new_fp;
  rollout->certificate_kind = e.kind;
  rollout->mode = e.mode;
  rollout->required_staged_permille = e.required_staged_permille;
  Recount(*rollout);
}

void FleetProjection::On(const RecordedEvent& r, const RenewalInitiated& e) {
  uint32_t fp = InternFingerprint(e.fingerprint);
  std::vector<uint32_t> targets;
  targets.reserve(e.agent_ids.size());
  for (const std::string& id : e.agent_ids) targets.push_back(InternAgent(id));
  RolloutState* rollout = NewRollout(r, e.rollout_id);
  if (rollout == nullptr) return;
  rollout->kind = RolloutKind::kRenewal;
  rollout->old_fp = fp;
  rollout->target = e.target;
  rollout->gateway_id = e.gateway_id;
  rollout->certificate_kind = e.target == RenewalTarget::kGatewayReportingCertificate
                                  ? CertificateKind::kGatewayReporting
                                  : CertificateKind::kCemAgent;
  rollout->explicit_targets = !targets.empty();
  rollout->targets.insert(targets.begin(), targets.end());
  if (track_ && rollout->explicit_targets) dirty_targets_.push_back(IndexOf(*rollout));
  Recount(*rollout);
}

void FleetProjection::On(const RecordedEvent&, const CertificateStaged& e) {
  RolloutState* rollout = FindRollout(e.rollout_id);
  if (rollout == nullptr || !rollout->active()) return;
  rollout->staged = true;
  MarkRollout(IndexOf(*rollout));
}

void FleetProjection::On(const RecordedEvent&, const BindingsSwitched& e) {
  RolloutState* rollout = FindRollout(e.rollout_id);
  if (rollout == nullptr || !rollout->active()) return;
  rollout->staged = true;
  rollout->switched = true;
  MarkRollout(IndexOf(*rollout));
}

void FleetProjection::On(const RecordedEvent& r, const ReplacementCancelled& e) {
  RolloutState* rollout = FindRollout(e.rollout_id);
  if (rollout == nullptr || !rollout->active()) return;
  rollout->cancelled = true;
  EndRollout(*rollout, r);
}

void FleetProjection::On(const RecordedEvent& r, const ReplacementFinalized& e) {
  RolloutState* rollout = FindRollout(e.rollout_id);
  if (rollout == nullptr || !rollout->active()) return;
  rollout->finalized = true;
  rollout->forced = e.forced;
  EndRollout(*rollout, r);
}

void FleetProjection::On(const RecordedEvent&, const GatewayRefreshRequired& e) {
  RolloutState* rollout = FindRollout(e.rollout_id);
  if (rollout == nullptr || rollout->cancelled) return;
  std::pair<uint32_t, GatewayRefreshStep> step(gateways_.Intern(e.gateway_id), e.step);
  if (std::find(rollout->pending.begin(), rollout->pending.end(), step) != rollout->pending.end()) {
    return;
  }
  rollout->pending.push_back(step);
  MarkRollout(IndexOf(*rollout));
}

void FleetProjection::On(const RecordedEvent&, const GatewayRefreshPerformed& e) {
  uint32_t gateway = gateways_.Find(e.gateway_id);
  if (gateway == StringInterner::kNotFound) return;
  auto performed = [&](const std::pair<uint32_t, GatewayRefreshStep>& p) {
    return p.first == gateway && (e.step == GatewayRefreshStep::kUnspecified || p.second == e.step);
  };
  auto refresh = [&](uint32_t i) {
    RolloutState& rollout = rollouts_[i];
    auto end = std::remove_if(rollout.pending.begin(), rollout.pending.end(), performed);
    if (end == rollout.pending.end()) return;
    rollout.pending.erase(end, rollout.pending.end());
    MarkRollout(i);
  };
  if (!e.rollout_id.empty()) {
    auto it = rollout_index_.find(e.rollout_id);
    if (it != rollout_index_.end()) refresh(it->second);
    return;
  }
  // An empty rollout id refreshes the gateway for every rollout waiting on it.
  for (uint32_t i = 0; i < rollouts_.size(); ++i) refresh(i);
}

}  // namespace rotor::projections
