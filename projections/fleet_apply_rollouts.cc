// FleetProjection: folding rollout lifecycle events (replacements, renewals,
// gateway refresh steps) into FleetRollouts.
#include <algorithm>

#include "projections/fleet_projection.h"

namespace rotor::projections {

uint32_t FleetProjection::FindActive(std::string_view rollout_id) const {
  uint32_t r = rollouts_.Find(rollout_id);
  return r != FleetRollouts::kNotFound && rollouts_[r].active() ? r : FleetRollouts::kNotFound;
}

void FleetProjection::EndRollout(uint32_t rollout, const RecordedEvent& r) {
  rollouts_.End(rollout, ToMicros(r.recorded_at));
  MarkRollout(rollout);
}

void FleetProjection::On(const RecordedEvent& r, const ReplacementInitiated& e) {
  uint32_t old_fp = model_.InternFingerprint(e.old_fingerprint);
  uint32_t new_fp = model_.InternFingerprint(e.new_fingerprint);
  uint32_t index = rollouts_.Create(e.rollout_id, ToMicros(r.recorded_at));
  if (index == FleetRollouts::kNotFound) return;
  RolloutState& rollout = rollouts_.Mutable(index);
  rollout.kind = RolloutKind::kReplacement;
  rollout.old_fp = old_fp;
  rollout.new_fp = new_fp;
  rollout.certificate_kind = e.kind;
  rollout.mode = e.mode;
  rollout.required_staged_permille = e.required_staged_permille;
  rollouts_.Recount(model_, index);
  MarkRollout(index);
}

void FleetProjection::On(const RecordedEvent& r, const RenewalInitiated& e) {
  uint32_t fp = model_.InternFingerprint(e.fingerprint);
  std::vector<uint32_t> targets;
  targets.reserve(e.agent_ids.size());
  for (const std::string& id : e.agent_ids) targets.push_back(InternAgent(id));
  uint32_t index = rollouts_.Create(e.rollout_id, ToMicros(r.recorded_at));
  if (index == FleetRollouts::kNotFound) return;
  RolloutState& rollout = rollouts_.Mutable(index);
  rollout.kind = RolloutKind::kRenewal;
  rollout.old_fp = fp;
  rollout.target = e.target;
  rollout.gateway_id = e.gateway_id;
  rollout.certificate_kind = e.target == RenewalTarget::kGatewayReportingCertificate
                                 ? CertificateKind::kGatewayReporting
                                 : CertificateKind::kCemAgent;
  rollout.explicit_targets = !targets.empty();
  rollout.targets.insert(targets.begin(), targets.end());
  if (track_ && rollout.explicit_targets) changes_.MarkTargets(index);
  rollouts_.Recount(model_, index);
  MarkRollout(index);
}

void FleetProjection::On(const RecordedEvent&, const CertificateStaged& e) {
  uint32_t index = FindActive(e.rollout_id);
  if (index == FleetRollouts::kNotFound) return;
  rollouts_.Mutable(index).staged = true;
  MarkRollout(index);
}

void FleetProjection::On(const RecordedEvent&, const BindingsSwitched& e) {
  uint32_t index = FindActive(e.rollout_id);
  if (index == FleetRollouts::kNotFound) return;
  rollouts_.Mutable(index).staged = true;
  rollouts_.Mutable(index).switched = true;
  MarkRollout(index);
}

void FleetProjection::On(const RecordedEvent& r, const ReplacementCancelled& e) {
  uint32_t index = FindActive(e.rollout_id);
  if (index == FleetRollouts::kNotFound) return;
  rollouts_.Mutable(index).cancelled = true;
  EndRollout(index, r);
}

void FleetProjection::On(const RecordedEvent& r, const ReplacementFinalized& e) {
  uint32_t index = FindActive(e.rollout_id);
  if (index == FleetRollouts::kNotFound) return;
  rollouts_.Mutable(index).finalized = true;
  rollouts_.Mutable(index).forced = e.forced;
  EndRollout(index, r);
}

void FleetProjection::On(const RecordedEvent&, const GatewayRefreshRequired& e) {
  uint32_t index = rollouts_.Find(e.rollout_id);
  if (index == FleetRollouts::kNotFound || rollouts_[index].cancelled) return;
  RolloutState& rollout = rollouts_.Mutable(index);
  std::pair<uint32_t, GatewayRefreshStep> step(model_.InternGateway(e.gateway_id), e.step);
  if (std::find(rollout.pending.begin(), rollout.pending.end(), step) != rollout.pending.end()) {
    return;
  }
  rollout.pending.push_back(step);
  MarkRollout(index);
}

void FleetProjection::On(const RecordedEvent&, const GatewayRefreshPerformed& e) {
  uint32_t gateway = model_.gateways().Find(e.gateway_id);
  if (gateway == StringInterner::kNotFound) return;
  auto performed = [&](const std::pair<uint32_t, GatewayRefreshStep>& p) {
    return p.first == gateway && (e.step == GatewayRefreshStep::kUnspecified || p.second == e.step);
  };
  auto refresh = [&](uint32_t i) {
    RolloutState& rollout = rollouts_.Mutable(i);
    auto end = std::remove_if(rollout.pending.begin(), rollout.pending.end(), performed);
    if (end == rollout.pending.end()) return;
    rollout.pending.erase(end, rollout.pending.end());
    MarkRollout(i);
  };
  if (!e.rollout_id.empty()) {
    uint32_t index = rollouts_.Find(e.rollout_id);
    if (index != FleetRollouts::kNotFound) refresh(index);
    return;
  }
  // An empty rollout id refreshes the gateway for every rollout waiting on it.
  for (uint32_t i = 0; i < rollouts_.size(); ++i) refresh(i);
}

}  // namespace rotor::projections
