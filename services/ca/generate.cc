#include "services/ca/generate.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "services/ca/ossl.h"
#include "services/ca/serial.h"

namespace rotor::ca {
namespace {

Result<EvpPkeyPtr> GenerateKey(KeyType type) {
  EvpPkeyPtr key;
  switch (type) {
    case KeyType::kEcP256:
      key.reset(EVP_EC_gen("P-256"));
      break;
    case KeyType::kRsa2048:
      key.reset(EVP_RSA_gen(2048));
      break;
    case KeyType::kRsa1024:
      key.reset(EVP_RSA_gen(1024));
      break;
  }
  if (key == nullptr) return OpenSslError(StatusCode::kInternal, "generating a key");
  return key;
}

Status CheckCommonName(std::string_view cn, std::string_view what) {
  if (cn.empty() || cn.size() > 64) {
    return Status::InvalidArgument(std::string(what) + " must have 1 to 64 characters");
  }
  return Status::Ok();
}

Result<X509NamePtr> CommonName(std::string_view cn) {
  X509NamePtr name(X509_NAME_new());
  if (name == nullptr ||
      X509_NAME_add_entry_by_NID(name.get(), NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(cn.data()),
                                 static_cast<int>(cn.size()), -1, 0) != 1) {
    return OpenSslError(StatusCode::kInternal, "building the name CN=" + std::string(cn));
  }
  return name;
}

Result<std::string> KeyPem(EVP_PKEY* key) {
  return WriteToString("PEM-encoding the private key", [key](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  });
}

Status AddCaExtensions(X509* cert) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  const std::pair<int, const char*> kExtensions[] = {
      {NID_basic_constraints, "critical,CA:TRUE"},
      {NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature"},
      {NID_subject_key_identifier, "hash"},
      {NID_authority_key_identifier, "keyid:always"},
  };
  for (const auto& [nid, value] : kExtensions) {
    X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    if (ext == nullptr || X509_add_ext(cert, ext.get(), -1) != 1) {
      return OpenSslError(StatusCode::kInternal,
                          std::string("adding CA extension ") + OBJ_nid2sn(nid));
    }
  }
  return Status::Ok();
}

Status SetCaFields(X509* cert, EVP_PKEY* key, std::string_view subject_cn, Time not_before,
                   Time not_after) {
  auto serial_hex = RandomSerialHex();
  if (!serial_hex.ok()) return serial_hex.status();
  auto serial = SerialToAsn1(*serial_hex);
  if (!serial.ok()) return serial.status();
  auto name = CommonName(subject_cn);
  if (!name.ok()) return name.status();
  auto nb = ToAsn1Time(not_before);
  if (!nb.ok()) return nb.status().WithContext("not_before");
  auto na = ToAsn1Time(not_after);
  if (!na.ok()) return na.status().WithContext("not_after");
  if (X509_set_version(cert, X509_VERSION_3) != 1 ||
      X509_set_serialNumber(cert, serial->get()) != 1 ||
      X509_set_subject_name(cert, name->get()) != 1 ||
      X509_set_issuer_name(cert, name->get()) != 1 || X509_set1_notBefore(cert, nb->get()) != 1 ||
      X509_set1_notAfter(cert, na->get()) != 1 || X509_set_pubkey(cert, key) != 1) {
    return OpenSslError(StatusCode::kInternal, "setting CA certificate fields");
  }
  return Status::Ok();
}

}  // namespace

Result<std::pair<std::string, std::string>> GenerateSelfSignedCa(std::string_view subject_cn,
                                                                 Time not_before, Time not_after,
                                                                 KeyType key_type) {
  ERR_clear_error();
  ROTOR_RETURN_IF_ERROR(CheckCommonName(subject_cn, "CA subject CN"));
  if (TruncateToSeconds(not_after) <= TruncateToSeconds(not_before)) {
    return Status::InvalidArgument("CA not_after " + FormatTime(not_after) +
                                   " must be after not_before " + FormatTime(not_before));
  }
  auto key = GenerateKey(key_type);
  if (!key.ok()) return key.status();
  X509Ptr cert(X509_new());
  if (cert == nullptr) return OpenSslError(StatusCode::kInternal, "X509_new");
  ROTOR_RETURN_IF_ERROR(SetCaFields(cert.get(), key->get(), subject_cn, not_before, not_after));
  ROTOR_RETURN_IF_ERROR(AddCaExtensions(cert.get()));
  if (X509_sign(cert.get(), key->get(), EVP_sha256()) <= 0) {
    return OpenSslError(StatusCode::kInternal, "self-signing the CA certificate");
  }
  X509* raw = cert.get();
  auto cert_pem = WriteToString("PEM-encoding the CA certificate",
                                [raw](BIO* bio) { return PEM_write_bio_X509(bio, raw); });
  if (!cert_pem.ok()) return cert_pem.status();
  auto key_pem = KeyPem(key->get());
  if (!key_pem.ok()) return key_pem.status();
  return std::make_pair(std::move(*cert_pem), std::move(*key_pem));
}

Result<std::pair<std::string, std::string>> MakeCsr(std::string_view agent_id, KeyType key_type) {
  ERR_clear_error();
  ROTOR_RETURN_IF_ERROR(CheckCommonName(agent_id, "agent_id"));
  auto key = GenerateKey(key_type);
  if (!key.ok()) return key.status();
  auto name = CommonName(agent_id);
  if (!name.ok()) return name.status();
  X509ReqPtr req(X509_REQ_new());
  if (req == nullptr || X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1 ||
      X509_REQ_set_subject_name(req.get(), name->get()) != 1 ||
      X509_REQ_set_pubkey(req.get(), key->get()) != 1 ||
      X509_REQ_sign(req.get(), key->get(), EVP_sha256()) <= 0) {
    return OpenSslError(StatusCode::kInternal, "building the CSR for " + std::string(agent_id));
  }
  X509_REQ* raw = req.get();
  auto csr_pem = WriteToString("PEM-encoding the CSR",
                               [raw](BIO* bio) { return PEM_write_bio_X509_REQ(bio, raw); });
  if (!csr_pem.ok()) return csr_pem.status();
  auto key_pem = KeyPem(key->get());
  if (!key_pem.ok()) return key_pem.status();
  return std::make_pair(std::move(*csr_pem), std::move(*key_pem));
}

}  // namespace rotor::ca
