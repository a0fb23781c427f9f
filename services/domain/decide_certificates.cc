// Decider for RegisterCertificate. See decide.h.
#include "base/hash.h"
#include "services/domain/decide.h"
#include "services/domain/validation.h"

namespace rotor::domain {
namespace {

Status CheckCertificateFields(const RegisterCertificate& c) {
  const CertificateInfo& info = c.certificate;
  ROTOR_RETURN_IF_ERROR(CheckActor(c.actor));
  if (c.kind == CertificateKind::kUnspecified) {
    return Status::InvalidArgument(
        "certificate kind is unspecified; use server-web, cem-root, "
        "cem-agent or gateway-reporting");
  }
  ROTOR_RETURN_IF_ERROR(CheckFingerprint("certificate fingerprint", info.fingerprint));
  if (info.der.empty()) {
    return Status::InvalidArgument("certificate " + info.fingerprint + " has no DER bytes");
  }
  if (ToHex(Sha256(info.der)) != info.fingerprint) {
    return Status::InvalidArgument("certificate fingerprint " + info.fingerprint +
                                   " is not the SHA-256 of its DER bytes");
  }
  if (info.not_after < info.not_before) {
    return Status::InvalidArgument("certificate " + info.fingerprint + " expires (" +
                                   FormatTime(info.not_after) + ") before it becomes valid (" +
                                   FormatTime(info.not_before) + ")");
  }
  if (!c.agent_id.empty()) {
    if (c.kind != CertificateKind::kCemAgent) {
      return Status::InvalidArgument("only a cem-agent certificate names an agent; certificate " +
                                     info.fingerprint + " is " +
                                     std::string(CertificateKindName(c.kind)));
    }
    ROTOR_RETURN_IF_ERROR(CheckId("agent id", c.agent_id));
  }
  return Status::Ok();
}

}  // namespace

Result<Decision> Decide(const RegisterCertificate& c, const DomainState& state) {
  ROTOR_RETURN_IF_ERROR(CheckCertificateFields(c));
  const CertificateInfo& info = c.certificate;
  if (const CertificateState* existing = state.FindCertificate(info.fingerprint)) {
    return Status::AlreadyExists("certificate " + info.fingerprint +
                                 " is already registered as a " +
                                 std::string(CertificateKindName(existing->kind)) +
                                 " certificate (subject " + existing->subject + ")");
  }
  if (info.not_after <= c.now) {
    return Status::FailedPrecondition("certificate " + info.fingerprint + " (subject " +
                                      info.subject + ") expired at " + FormatTime(info.not_after) +
                                      "; now is " + FormatTime(c.now));
  }
  Decision d(c.actor, c.now);
  d.Add(CertificateRegistered{info, c.kind, c.agent_id});
  return d;
}

}  // namespace rotor::domain
