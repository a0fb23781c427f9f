// Certificate generation for the simulator. See certs.h.
#include "services/sim/certs.h"

#include "services/ca/certificate_authority.h"
#include "services/ca/generate.h"
#include "services/ca/serial.h"
#include "services/pki/certificate_parser.h"

namespace rotor::sim {

Result<MadeCertificate> SelfSigned(std::string_view cn, Time not_before, Time not_after) {
  auto made = ca::GenerateSelfSignedCa(cn, not_before, not_after);
  if (!made.ok()) return made.status();
  Result<CertificateInfo> info = pki::ParseCertificate(made->first);
  if (!info.ok()) return info.status();
  return MadeCertificate{made->first, info->fingerprint};
}

AgentCertificateIssuer::AgentCertificateIssuer(std::unique_ptr<ca::CertificateAuthority> ca)
    : ca_(std::move(ca)) {}

AgentCertificateIssuer::~AgentCertificateIssuer() = default;

Result<std::unique_ptr<AgentCertificateIssuer>> AgentCertificateIssuer::Create(Time now) {
  auto made = ca::GenerateSelfSignedCa("Rotor Simulator CEM Issuing CA", now - std::chrono::days(1),
                                       now + std::chrono::days(3650));
  if (!made.ok()) return made.status();
  auto loaded = ca::CertificateAuthority::LoadFromPem(made->first, made->second);
  if (!loaded.ok()) return loaded.status();
  return std::unique_ptr<AgentCertificateIssuer>(new AgentCertificateIssuer(std::move(*loaded)));
}

Result<MadeCertificate> AgentCertificateIssuer::Issue(const std::string& agent_id, Time now) {
  auto csr = ca::MakeCsr(agent_id);
  if (!csr.ok()) return csr.status();
  Result<std::string> serial = ca::RandomSerialHex();
  if (!serial.ok()) return serial.status();
  ca::IssueOptions options;
  options.agent_id = agent_id;
  options.not_before = now - std::chrono::hours(1);
  options.serial_hex = *serial;
  options.now = now;
  Result<ca::IssuedCertificate> issued = ca_->SignCsr(csr->first, options);
  if (!issued.ok()) return issued.status();
  return MadeCertificate{issued->pem, issued->fingerprint};
}

}  // namespace rotor::sim
