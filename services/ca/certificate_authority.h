// CertificateAuthority: the CEM issuing CA inside rotord. It signs renewed CEM
// agent certificates from the agents' certificate signing requests and signs
// the CRL that gateways use to enforce revocation. It does no I/O besides
// reading the two files in Load, keeps no state besides the CA certificate
// and key, and never reads a clock: times arrive in the calls, so the
// services layer records the inputs in events and a replay can re-derive the
// same certificate contents and CRL.
//
// Subject policy: the issued certificate's subject is exactly CN=<agent_id>
// as Rotor knows the agent. The CSR contributes only its public key (after
// its self-signature proves possession of the private key); the CSR's
// subject, and any extensions it requests, are ignored, whatever they say.
//
// Ownership: the object owns its X509 certificate and EVP_PKEY; results are
// plain byte strings owned by the caller. Thread safety: immutable after
// Load; SignCsr, BuildCrl and AnswerOcsp are const and may run concurrently (OpenSSL 3
// allows concurrent read-only use of X509 and EVP_PKEY objects).
//
// Implementation: loading in certificate_authority.cc, SignCsr in
// sign_csr.cc, BuildCrl in build_crl.cc, AnswerOcsp in ocsp.cc.
#pragma once

#include <openssl/ocsp.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "services/ca/ocsp.h"
#include "services/ca/ossl.h"

namespace rotor::ca {

// What SignCsr needs besides the CSR. All times are truncated down to whole
// seconds, the resolution of X.509.
struct IssueOptions {
  // Becomes the subject, CN=<agent_id>: 1-64 printable characters (ub-common-name).
  std::string agent_id;
  Time not_before{};
  // not_after = not_before + validity; must be positive.
  Micros validity = std::chrono::days(90);
  // Serial in hex (see serial.h): RandomSerialHex() or SerialHexFromCounter().
  std::string serial_hex;
  // The command's time: the CA must be valid now and the result not expired.
  Time now{};
  // Where relying parties find revocation (all optional; check them with
  // CheckPublicationUrl). A non-empty crl_url becomes the CRL distribution
  // point; ocsp_url and ca_issuers_url become the authority information
  // access entries. Empty ones are left out of the certificate.
  std::string crl_url;
  std::string ocsp_url;
  std::string ca_issuers_url;
};

struct IssuedCertificate {
  std::string der;
  std::string pem;
  std::string fingerprint;  // SHA-256 of `der`, 64 lower-case hex digits.
  std::string serial_hex;   // Canonical (serial.h).
  Time not_before{};
  Time not_after{};
};

// One CRL entry. reason_code is RFC 5280's CRLReason: 0 unspecified,
// 1 keyCompromise, 2 cACompromise, 3 affiliationChanged, 4 superseded,
// 5 cessationOfOperation, 6 certificateHold, 9 privilegeWithdrawn,
// 10 aACompromise. 7 is unassigned and 8 (removeFromCRL) belongs only in
// delta CRLs (OpenSSL treats a listed certificate with it as not revoked),
// so both are refused. Reason 0 is written as no reasonCode extension, as
// RFC 5280 5.3.1 asks.
struct RevokedEntry {
  std::string serial_hex;
  Time revoked_at{};
  int reason_code = 0;
};

struct Crl {
  std::string der;
  std::string pem;
};

// The status of one serial for OCSP: the caller's record of revocations.
using OcspLookup = std::function<Result<SerialStatus>(const std::string& serial_hex)>;

// Checks a URL to be written into certificates (crl_url, ocsp_url,
// ca_issuers_url): absolute http:// or https://, a host, at most 1024
// printable ASCII characters without spaces, commas or quotes. `what` names
// it in the error. Errors: kInvalidArgument.
Status CheckPublicationUrl(std::string_view url, std::string_view what);

class CertificateAuthority {
 public:
  // Reads the CA certificate and private key (PEM, the key unencrypted) from
  // files and checks them as LoadFromPem does. Errors name the file:
  // kIoError when a file cannot be read; otherwise as LoadFromPem.
  static Result<std::unique_ptr<CertificateAuthority>> Load(const std::string& cert_pem_path,
                                                            const std::string& key_pem_path);

  // Parses a CA certificate and private key from PEM text and checks that
  // the key matches the certificate, the certificate is a CA (basicConstraints
  // CA:TRUE, keyUsage with keyCertSign and cRLSign) and its key is allowed
  // (key_policy.h). Errors: kInvalidArgument naming what was wrong.
  static Result<std::unique_ptr<CertificateAuthority>> LoadFromPem(std::string_view cert_pem,
                                                                   std::string_view key_pem);

  // Signs a certificate for the key in `csr` (PEM or DER) after verifying the
  // CSR's self-signature and the key's strength. The certificate: v3, subject
  // CN=<agent_id>, issuer the CA's subject, basicConstraints CA:FALSE
  // (critical), keyUsage digitalSignature (+keyEncipherment for RSA keys,
  // critical), extendedKeyUsage clientAuth, subject and authority key
  // identifiers, signed with SHA-256.
  // Errors: kInvalidArgument for an unparsable CSR, a bad CSR signature, a
  // weak or unsupported key, or bad options; kFailedPrecondition when the CA
  // is not valid at options.now or would expire before the certificate;
  // kInternal when OpenSSL fails.
  Result<IssuedCertificate> SignCsr(std::string_view csr_pem_or_der,
                                    const IssueOptions& options) const;

  // Signs a v2 CRL listing `revoked` (sorted by serial), valid from
  // this_update to next_update, with the cRLNumber `crl_number` and the
  // authority key identifier. The to-be-signed part is byte-identical for
  // equal input in any order; with an RSA CA key so is the whole CRL, while
  // ECDSA under OpenSSL 3.0 uses a random nonce, so only its signature differs.
  // Errors: kInvalidArgument for a bad serial, a duplicate serial, a reason
  // code 7, 8 or outside 0..10, or next_update not after this_update;
  // kInternal when OpenSSL fails.
  Result<Crl> BuildCrl(const std::vector<RevokedEntry>& revoked, Time this_update, Time next_update,
                       uint64_t crl_number) const;

  // Answers the DER OCSPRequest `request_der` (RFC 6960; the policy is in
  // ocsp.h) with a DER OCSPResponse signed by the CA key: `lookup` gives the
  // status of each serial of this CA; thisUpdate is `now` and nextUpdate
  // `now + validity`. A malformed request gets malformedRequest and a lookup
  // error internalError (unsigned, as RFC 6960 4.2.1 says).
  // Errors: kInternal only when OpenSSL cannot encode even an error response.
  Result<std::string> AnswerOcsp(std::string_view request_der, const OcspLookup& lookup, Time now,
                                 Micros validity) const;

  // The CA certificate as PEM and DER, and its SHA-256 fingerprint (hex).
  const std::string& certificate_pem() const { return cert_pem_; }
  const std::string& certificate_der() const { return cert_der_; }
  const std::string& fingerprint() const { return fingerprint_; }
  Time not_before() const { return not_before_; }
  Time not_after() const { return not_after_; }

 private:
  CertificateAuthority() = default;

  static Result<std::unique_ptr<CertificateAuthority>> LoadImpl(std::string_view cert_pem,
                                                                std::string_view key_pem,
                                                                const std::string& cert_source,
                                                                const std::string& key_source);
  // The authorityKeyIdentifier extension (keyid only) for what this CA signs.
  Result<X509ExtensionPtr> AuthorityKeyIdExtension() const;
  // True when `id` names this CA as issuer (its name and key hashes, with
  // the CertID's hash algorithm).
  bool IsOurCertId(OCSP_CERTID* id) const;
  // Checks that `now` lies within the CA's validity; `what` names the operation.
  Status CheckCaValidAt(Time now, std::string_view what) const;

  X509Ptr cert_;
  EvpPkeyPtr key_;
  std::string cert_pem_;
  std::string cert_der_;
  std::string fingerprint_;
  std::string key_id_;  // The CA's subject key identifier (raw bytes).
  Time not_before_{};
  Time not_after_{};
};

}  // namespace rotor::ca
