// Certificates for the simulator, made with OpenSSL (services/ca): the
// certificates a scenario registers and replaces, and the renewed CEM agent
// certificates its own issuing CA signs for record-renewed. Keys are thrown
// away: the simulation needs certificates, not TLS. Thread-compatible.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "base/time.h"

namespace rotor::ca {
class CertificateAuthority;
}

namespace rotor::sim {

struct MadeCertificate {
  std::string pem;
  std::string fingerprint;  // SHA-256 of the DER, lower-case hex
};

// A self-signed certificate with subject CN=<cn>, valid [not_before, not_after).
// Errors: as ca::GenerateSelfSignedCa.
Result<MadeCertificate> SelfSigned(std::string_view cn, Time not_before, Time not_after);

// Signs renewed CEM agent certificates (CN=<agent id>, 90 days).
class AgentCertificateIssuer {
 public:
  // A fresh CA valid from `now` minus a day for ten years.
  static Result<std::unique_ptr<AgentCertificateIssuer>> Create(Time now);
  ~AgentCertificateIssuer();

  // A new key, its CSR, and the certificate the CA signs for it at `now`.
  Result<MadeCertificate> Issue(const std::string& agent_id, Time now);

 private:
  explicit AgentCertificateIssuer(std::unique_ptr<ca::CertificateAuthority> ca);
  std::unique_ptr<ca::CertificateAuthority> ca_;
};

}  // namespace rotor::sim
