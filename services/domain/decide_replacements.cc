// Deciders for the replacement of a certificate: InitiateReplacement,
// StageCertificate, SwitchBindings, FinalizeReplacement, CancelReplacement.
// See decide.h.
#include <algorithm>

#include "services/domain/decide.h"
#include "services/domain/progress.h"
#include "services/domain/streams.h"
#include "services/domain/validation.h"

namespace rotor::domain {
namespace {

std::string Rollout(const std::string& id) { return "rollout " + id; }

Status CheckInitiateFields(const InitiateReplacement& c) {
  ROTOR_RETURN_IF_ERROR(CheckId("rollout id", c.rollout_id));
  ROTOR_RETURN_IF_ERROR(CheckActor(c.actor));
  ROTOR_RETURN_IF_ERROR(CheckFingerprint("old certificate", c.old_fingerprint));
  ROTOR_RETURN_IF_ERROR(CheckFingerprint("new certificate", c.new_fingerprint));
  if (c.old_fingerprint == c.new_fingerprint) {
    return Status::InvalidArgument(Rollout(c.rollout_id) +
                                   ": the old and the new certificate are "
                                   "the same (" +
                                   c.old_fingerprint + ")");
  }
  if (c.mode != ReplacementMode::kDirect && c.mode != ReplacementMode::kPreStaged) {
    return Status::InvalidArgument(Rollout(c.rollout_id) +
                                   ": replacement mode is unspecified; use direct or pre-staged");
  }
  if (c.mode == ReplacementMode::kPreStaged &&
      (c.required_staged_permille == 0 || c.required_staged_permille > kAllAgentsPermille)) {
    return Status::InvalidArgument(Rollout(c.rollout_id) +
                                   ": the required staged share must be 1..1000 permille, got " +
                                   std::to_string(c.required_staged_permille));
  }
  if (c.min_validity.count() < 0) {
    return Status::InvalidArgument(Rollout(c.rollout_id) + ": minimum validity is negative");
  }
  return Status::Ok();
}

uint32_t EffectivePermille(const InitiateReplacement& c) {
  return c.mode == ReplacementMode::kPreStaged ? c.required_staged_permille : 0;
}

bool IsSameInitiation(const RolloutState& r, const InitiateReplacement& c) {
  return r.type == RolloutKind::kReplacement && r.old_fingerprint == c.old_fingerprint &&
         r.new_fingerprint == c.new_fingerprint && r.mode == c.mode &&
         r.required_staged_permille == EffectivePermille(c);
}

// The rules between the two registered certificates.
Status CheckReplaceable(const InitiateReplacement& c, const CertificateState& old_cert,
                        const CertificateState& new_cert) {
  auto kind = [](const CertificateState& cert) {
    return std::string(CertificateKindName(cert.kind));
  };
  if (old_cert.kind != new_cert.kind) {
    return Status::FailedPrecondition("new certificate " + new_cert.fingerprint + " is a " +
                                      kind(new_cert) + " certificate but old certificate " +
                                      old_cert.fingerprint + " is a " + kind(old_cert) +
                                      " certificate; a replacement keeps the kind");
  }
  if (old_cert.kind == CertificateKind::kCemAgent ||
      old_cert.kind == CertificateKind::kGatewayReporting) {
    return Status::FailedPrecondition("certificate " + old_cert.fingerprint + " is a " +
                                      kind(old_cert) +
                                      " certificate; those are renewed, not replaced");
  }
  if (!old_cert.active_rollout_id.empty()) {
    return Status::FailedPrecondition(
        "certificate " + old_cert.fingerprint + " already has an active replacement, rollout " +
        old_cert.active_rollout_id + "; finalize or cancel it before starting another");
  }
  if (!old_cert.replaced_by_rollout_id.empty()) {
    return Status::FailedPrecondition("certificate " + old_cert.fingerprint +
                                      " was already replaced by rollout " +
                                      old_cert.replaced_by_rollout_id + " and is no longer in use");
  }
  if (new_cert.not_after - c.now < c.min_validity) {
    return Status::FailedPrecondition("new certificate " + new_cert.fingerprint + " expires at " +
                                      FormatTime(new_cert.not_after) + ", less than " +
                                      DurationText(c.min_validity) + " after now (" +
                                      FormatTime(c.now) + "); it is not valid for a useful time");
  }
  return Status::Ok();
}

void RequireGatewayRefreshes(const DomainState& state, const std::string& rollout_id,
                             GatewayRefreshStep step, Decision& d) {
  for (const std::string& gateway : ManualRefreshGateways(state)) {
    d.Add(GatewayRefreshRequired{gateway, rollout_id, step});
  }
}

// Errors: kFailedPrecondition unless the rollout is active.
Status CheckActive(const RolloutState& r, std::string_view what) {
  if (r.phase == RolloutPhase::kActive) return Status::Ok();
  return Status::FailedPrecondition(Rollout(r.id) + " is " + std::string(PhaseName(r.phase)) +
                                    "; only an active replacement " + std::string(what));
}

Status CheckPreStaged(const RolloutState& r, std::string_view what) {
  if (r.mode == ReplacementMode::kPreStaged) return Status::Ok();
  return Status::FailedPrecondition(Rollout(r.id) + " is a direct replacement; " +
                                    std::string(what));
}

std::string Percent(uint64_t part, uint64_t whole) {
  uint64_t permille = whole == 0 ? 1000 : part * 1000 / whole;
  return std::to_string(permille / 10) + "." + std::to_string(permille % 10) + "%";
}

}  // namespace

Result<Decision> Decide(const InitiateReplacement& c, const DomainState& state) {
  ROTOR_RETURN_IF_ERROR(CheckInitiateFields(c));
  if (const RolloutState* existing = state.FindRollout(c.rollout_id)) {
    if (IsSameInitiation(*existing, c)) return Decision();
    return Status::AlreadyExists(Rollout(c.rollout_id) +
                                 " already exists with different parameters; choose another "
                                 "rollout id");
  }
  const CertificateState* old_cert = state.FindCertificate(c.old_fingerprint);
  if (old_cert == nullptr) {
    return Status::NotFound("old certificate " + c.old_fingerprint + " is not registered");
  }
  const CertificateState* new_cert = state.FindCertificate(c.new_fingerprint);
  if (new_cert == nullptr) {
    return Status::NotFound("new certificate " + c.new_fingerprint + " is not registered");
  }
  ROTOR_RETURN_IF_ERROR(CheckReplaceable(c, *old_cert, *new_cert));

  Decision d(c.actor, c.now);
  d.Add(ReplacementInitiated{c.rollout_id, c.old_fingerprint, c.new_fingerprint, old_cert->kind,
                             c.mode, EffectivePermille(c)});
  if (old_cert->kind == CertificateKind::kCemRoot) {
    RequireGatewayRefreshes(state, c.rollout_id, GatewayRefreshStep::kAfterInitiate, d);
  }
  d.SetIdempotencyKey(RolloutStream(c.rollout_id),
                      ReplacementClaimKey(c.old_fingerprint, old_cert->replacements_initiated + 1));
  return d;
}

Result<Decision> Decide(const StageCertificate& c, const DomainState& state) {
  ROTOR_RETURN_IF_ERROR(CheckId("rollout id", c.rollout_id));
  ROTOR_RETURN_IF_ERROR(CheckActor(c.actor));
  ROTOR_RETURN_IF_ERROR(CheckId("communication profile", c.communication_profile));
  Result<const RolloutState*> found = LookupReplacement(state, c.rollout_id);
  if (!found.ok()) return found.status();
  const RolloutState& r = **found;
  ROTOR_RETURN_IF_ERROR(CheckPreStaged(r, "only a pre-staged replacement stages its certificate"));
  const auto& profiles = r.staged_profiles;
  if (std::find(profiles.begin(), profiles.end(), c.communication_profile) != profiles.end()) {
    return Decision();
  }
  ROTOR_RETURN_IF_ERROR(CheckActive(r, "can stage its certificate"));
  Decision d(c.actor, c.now);
  d.Add(CertificateStaged{r.id, r.new_fingerprint, c.communication_profile});
  return d;
}

Result<Decision> Decide(const SwitchBindings& c, const DomainState& state) {
  ROTOR_RETURN_IF_ERROR(CheckId("rollout id", c.rollout_id));
  ROTOR_RETURN_IF_ERROR(CheckActor(c.actor));
  Result<const RolloutState*> found = LookupReplacement(state, c.rollout_id);
  if (!found.ok()) return found.status();
  const RolloutState& r = **found;
  ROTOR_RETURN_IF_ERROR(CheckPreStaged(r, "it has no bindings switch"));
  if (r.bindings_switched) return Decision();
  ROTOR_RETURN_IF_ERROR(CheckActive(r, "can switch its bindings"));
  if (r.staged_profiles.empty()) {
    return Status::FailedPrecondition(Rollout(r.id) +
                                      ": the new certificate is not staged in any communication "
                                      "profile yet; stage it before switching the bindings");
  }
  RolloutProgress p = ComputeProgress(state, r);
  if (p.received * kAllAgentsPermille < uint64_t{r.required_staged_permille} * p.total) {
    return Status::FailedPrecondition(
        Rollout(r.id) + ": " + std::to_string(p.received) + " of " + std::to_string(p.total) +
        " agents hold the staged certificate (" + Percent(p.received, p.total) +
        "); switching the bindings needs " +
        Percent(r.required_staged_permille, kAllAgentsPermille));
  }
  Decision d(c.actor, c.now);
  d.Add(BindingsSwitched{r.id, p.received, p.total});
  return d;
}

}  // namespace rotor::domain
