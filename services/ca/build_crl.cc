// CertificateAuthority::BuildCrl: the CRL rebuilt from revocation events.
#include <openssl/err.h>
#include <openssl/pem.h>

#include <set>

#include "services/ca/certificate_authority.h"
#include "services/ca/serial.h"

namespace rotor::ca {
namespace {

constexpr int kReasonUnassigned = 7;
constexpr int kReasonRemoveFromCrl = 8;
constexpr int kMaxReason = 10;

Status CheckReason(int reason, const std::string& serial) {
  if (reason < 0 || reason > kMaxReason) {
    return Status::InvalidArgument("serial " + serial + ": reason code " + std::to_string(reason) +
                                   " is outside RFC 5280's CRLReason 0..10");
  }
  if (reason == kReasonUnassigned) {
    return Status::InvalidArgument("serial " + serial +
                                   ": reason code 7 is unassigned in RFC 5280's CRLReason");
  }
  if (reason == kReasonRemoveFromCrl) {
    return Status::InvalidArgument("serial " + serial +
                                   ": reason code 8 (removeFromCRL) is only for delta CRLs; "
                                   "leave the certificate out of the CRL instead");
  }
  return Status::Ok();
}

// One CRL entry; reason 0 (unspecified) is left out as RFC 5280 5.3.1 asks.
Result<X509RevokedPtr> MakeEntry(const RevokedEntry& entry, const std::string& serial_hex) {
  ROTOR_RETURN_IF_ERROR(CheckReason(entry.reason_code, serial_hex));
  auto serial = SerialToAsn1(serial_hex);
  if (!serial.ok()) return serial.status();
  auto when = ToAsn1Time(entry.revoked_at);
  if (!when.ok()) return when.status().WithContext("serial " + serial_hex + ": revoked_at");
  X509RevokedPtr rev(X509_REVOKED_new());
  if (rev == nullptr || X509_REVOKED_set_serialNumber(rev.get(), serial->get()) != 1 ||
      X509_REVOKED_set_revocationDate(rev.get(), when->get()) != 1) {
    return OpenSslError(StatusCode::kInternal, "building the CRL entry for serial " + serial_hex);
  }
  if (entry.reason_code != 0) {
    Asn1EnumeratedPtr reason(ASN1_ENUMERATED_new());
    if (reason == nullptr || ASN1_ENUMERATED_set(reason.get(), entry.reason_code) != 1 ||
        X509_REVOKED_add1_ext_i2d(rev.get(), NID_crl_reason, reason.get(), 0, 0) != 1) {
      return OpenSslError(StatusCode::kInternal, "adding the reason code for serial " + serial_hex);
    }
  }
  return rev;
}

Status AddEntries(X509_CRL* crl, const std::vector<RevokedEntry>& revoked) {
  std::set<std::string> seen;
  for (const RevokedEntry& entry : revoked) {
    auto serial = CanonicalSerialHex(entry.serial_hex);
    if (!serial.ok()) return serial.status().WithContext("revoked entry");
    if (!seen.insert(*serial).second) {
      return Status::InvalidArgument("serial " + *serial + " is listed twice");
    }
    auto rev = MakeEntry(entry, *serial);
    if (!rev.ok()) return rev.status();
    if (X509_CRL_add0_revoked(crl, rev->get()) != 1) {
      return OpenSslError(StatusCode::kInternal, "adding serial " + *serial + " to the CRL");
    }
    (void)rev->release();  // Now owned by `crl`.
  }
  // Sorted by serial, so equal sets in any order give equal bytes.
  if (X509_CRL_sort(crl) != 1) return OpenSslError(StatusCode::kInternal, "X509_CRL_sort");
  return Status::Ok();
}

Status SetCrlHeader(X509_CRL* crl, X509* ca, Time this_update, Time next_update) {
  auto last = ToAsn1Time(this_update);
  if (!last.ok()) return last.status().WithContext("this_update");
  auto next = ToAsn1Time(next_update);
  if (!next.ok()) return next.status().WithContext("next_update");
  if (X509_CRL_set_version(crl, X509_CRL_VERSION_2) != 1 ||
      X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)) != 1 ||
      X509_CRL_set1_lastUpdate(crl, last->get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl, next->get()) != 1) {
    return OpenSslError(StatusCode::kInternal, "setting the CRL header");
  }
  return Status::Ok();
}

Status AddCrlNumber(X509_CRL* crl, uint64_t crl_number) {
  Asn1IntegerPtr number(ASN1_INTEGER_new());
  if (number == nullptr || ASN1_INTEGER_set_uint64(number.get(), crl_number) != 1 ||
      X509_CRL_add1_ext_i2d(crl, NID_crl_number, number.get(), 0, 0) != 1) {
    return OpenSslError(StatusCode::kInternal, "adding the CRL number");
  }
  return Status::Ok();
}

}  // namespace

Result<Crl> CertificateAuthority::BuildCrl(const std::vector<RevokedEntry>& revoked,
                                           Time this_update, Time next_update,
                                           uint64_t crl_number) const {
  ERR_clear_error();
  if (TruncateToSeconds(next_update) <= TruncateToSeconds(this_update)) {
    return Status::InvalidArgument("CRL next_update " + FormatTime(next_update) +
                                   " must be at least a second after this_update " +
                                   FormatTime(this_update));
  }
  X509CrlPtr crl(X509_CRL_new());
  if (crl == nullptr) return OpenSslError(StatusCode::kInternal, "X509_CRL_new");
  ROTOR_RETURN_IF_ERROR(SetCrlHeader(crl.get(), cert_.get(), this_update, next_update));
  ROTOR_RETURN_IF_ERROR(AddEntries(crl.get(), revoked));
  ROTOR_RETURN_IF_ERROR(AddCrlNumber(crl.get(), crl_number));
  auto akid = AuthorityKeyIdExtension();
  if (!akid.ok()) return akid.status();
  if (X509_CRL_add_ext(crl.get(), akid->get(), -1) != 1) {
    return OpenSslError(StatusCode::kInternal, "adding the CRL authority key identifier");
  }
  if (X509_CRL_sign(crl.get(), key_.get(), EVP_sha256()) <= 0) {
    return OpenSslError(StatusCode::kInternal, "signing the CRL with the CA key");
  }
  Crl out;
  auto der = ToDer("encoding the CRL", crl.get(), i2d_X509_CRL);
  if (!der.ok()) return der.status();
  out.der = std::move(*der);
  X509_CRL* raw = crl.get();
  auto pem = WriteToString("PEM-encoding the CRL",
                           [raw](BIO* bio) { return PEM_write_bio_X509_CRL(bio, raw); });
  if (!pem.ok()) return pem.status();
  out.pem = std::move(*pem);
  return out;
}

}  // namespace rotor::ca
