// Target: PEM and DER certificates and CSRs, the untrusted X.509 inputs:
// certificates registered through the API (services/pki ParseCertificate),
// CSRs agents send (services/ca/pem_input.cc ParseCsr) and their signing by
// the CEM CA (signature check, key policy), and PEM certificate reading
// (ReadPemCertificate). Each refuses bad input with kInvalidArgument and
// never crashes; a certificate the CA issues parses back with the agent's
// name and the CA as issuer.
//
// Input: PEM text or DER bytes.
#include <chrono>
#include <memory>

#include "services/ca/certificate_authority.h"
#include "services/ca/generate.h"
#include "services/ca/pem_input.h"
#include "services/pki/certificate_parser.h"
#include "tests/fuzz/fuzz_util.h"

namespace rotor {
namespace {

constexpr int64_t kNow = 1798761600;  // 2027-01-01T00:00:00Z

Time Now() { return TimeFromMicros(kNow * 1000000); }

// One CA for the whole run (generating a key per input would dominate).
const ca::CertificateAuthority& Ca() {
  static const std::unique_ptr<ca::CertificateAuthority> ca = [] {
    auto pem = ca::GenerateSelfSignedCa("Rotor Fuzz CA", Now() - std::chrono::days(1),
                                        Now() + std::chrono::days(3650));
    FUZZ_CHECK(pem.ok());
    auto loaded = ca::CertificateAuthority::LoadFromPem(pem->first, pem->second);
    FUZZ_CHECK(loaded.ok());
    return std::move(*loaded);
  }();
  return *ca;
}

bool Refused(const Status& s) { return s.code() == StatusCode::kInvalidArgument; }

}  // namespace
}  // namespace rotor

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rotor;
  std::string_view input = fuzz::Bytes(data, size);

  Result<CertificateInfo> cert = pki::ParseCertificate(input);
  FUZZ_CHECK(cert.ok() || Refused(cert.status()));
  Result<ca::X509Ptr> pem_cert = ca::ReadPemCertificate(input, "input");
  FUZZ_CHECK(pem_cert.ok() || Refused(pem_cert.status()));

  Result<ca::X509ReqPtr> csr = ca::ParseCsr(input);
  FUZZ_CHECK(csr.ok() || Refused(csr.status()));
  if (!csr.ok()) return 0;
  ca::IssueOptions options;
  options.agent_id = "agent-0001";
  options.not_before = Now();
  options.serial_hex = "01";
  options.now = Now();
  Result<ca::IssuedCertificate> issued = Ca().SignCsr(input, options);
  FUZZ_CHECK(issued.ok() || Refused(issued.status()));
  if (!issued.ok()) return 0;
  Result<CertificateInfo> back = pki::ParseCertificate(issued->pem);
  FUZZ_CHECK(back.ok() && back->fingerprint == issued->fingerprint);
  FUZZ_CHECK(back->subject == "CN=agent-0001" && back->issuer == "CN=Rotor Fuzz CA");
  return 0;
}
