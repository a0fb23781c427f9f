#include "services/ca/pem_input.h"

#include <openssl/err.h>
#include <openssl/pem.h>

namespace rotor::ca {
namespace {

constexpr size_t kMaxCsrBytes = size_t{64} * 1024;

// A pem_password_cb that never supplies a passphrase (and never prompts).
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) { return -1; }

}  // namespace

Result<X509Ptr> ReadPemCertificate(std::string_view pem, const std::string& source) {
  auto bio = MemoryBioFor(pem);
  if (!bio.ok()) return bio.status().WithContext(source);
  X509Ptr cert(PEM_read_bio_X509(bio->get(), nullptr, NoPassphrase, nullptr));
  if (cert == nullptr) {
    return OpenSslError(StatusCode::kInvalidArgument,
                        source + ": no PEM certificate (BEGIN CERTIFICATE) could be read");
  }
  return cert;
}

Result<EvpPkeyPtr> ReadPemPrivateKey(std::string_view pem, const std::string& source) {
  if (pem.find("ENCRYPTED") != std::string_view::npos) {
    return Status::InvalidArgument(source +
                                   ": the private key is encrypted; rotord needs an unencrypted "
                                   "key file (protect it with file permissions)");
  }
  auto bio = MemoryBioFor(pem);
  if (!bio.ok()) return bio.status().WithContext(source);
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio->get(), nullptr, NoPassphrase, nullptr));
  if (key == nullptr) {
    return OpenSslError(StatusCode::kInvalidArgument,
                        source + ": no PEM private key (BEGIN PRIVATE KEY) could be read");
  }
  return key;
}

Result<X509ReqPtr> ParseCsr(std::string_view input) {
  ERR_clear_error();
  if (input.empty()) return Status::InvalidArgument("CSR is empty");
  if (input.size() > kMaxCsrBytes) {
    return Status::InvalidArgument("CSR of " + std::to_string(input.size()) +
                                   " bytes is larger than the 64 KiB limit");
  }
  if (input.find("-----BEGIN") != std::string_view::npos) {
    auto bio = MemoryBioFor(input);
    if (!bio.ok()) return bio.status().WithContext("CSR");
    X509ReqPtr req(PEM_read_bio_X509_REQ(bio->get(), nullptr, NoPassphrase, nullptr));
    if (req == nullptr) {
      return OpenSslError(StatusCode::kInvalidArgument,
                          "CSR: no PEM certificate request (BEGIN CERTIFICATE REQUEST) could "
                          "be read");
    }
    return req;
  }
  const auto* begin = reinterpret_cast<const unsigned char*>(input.data());
  const unsigned char* p = begin;
  // NOLINTNEXTLINE(google-runtime-int): d2i_X509_REQ takes a long length.
  X509ReqPtr req(d2i_X509_REQ(nullptr, &p, static_cast<long>(input.size())));
  if (req == nullptr) {
    return OpenSslError(StatusCode::kInvalidArgument,
                        "CSR is neither PEM nor a DER PKCS#10 certificate request");
  }
  auto consumed = static_cast<size_t>(p - begin);
  if (consumed != input.size()) {
    return Status::InvalidArgument("CSR DER is followed by " +
                                   std::to_string(input.size() - consumed) + " unexpected bytes");
  }
  return req;
}

}  // namespace rotor::ca
