#include "services/ca/key_policy.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/objects.h>

#include <string>

#include "services/ca/ossl.h"

namespace rotor::ca {
namespace {

constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 16384;

Status CheckEcCurve(const EVP_PKEY* key, std::string_view whose) {
  char group[64] = {};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &len) !=
      1) {
    return OpenSslError(StatusCode::kInvalidArgument,
                        std::string(whose) + ": EC key without a named curve");
  }
  int nid = OBJ_sn2nid(group);
  if (nid == NID_undef) nid = EC_curve_nist2nid(group);
  if (nid == NID_X9_62_prime256v1 || nid == NID_secp384r1 || nid == NID_secp521r1) {
    return Status::Ok();
  }
  return Status::InvalidArgument(std::string(whose) + ": EC curve " + group +
                                 " is not allowed: use P-256, P-384 or P-521");
}

}  // namespace

bool IsRsaKey(const EVP_PKEY* key) { return EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA; }

Status CheckKeyAllowed(const EVP_PKEY* key, std::string_view whose) {
  if (key == nullptr) return Status::InvalidArgument(std::string(whose) + ": no public key");
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA: {
      int bits = EVP_PKEY_get_bits(key);
      if (bits < kMinRsaBits) {
        return Status::InvalidArgument(std::string(whose) + ": RSA " + std::to_string(bits) +
                                       "-bit key is too weak: at least " +
                                       std::to_string(kMinRsaBits) + " bits are required");
      }
      if (bits > kMaxRsaBits) {
        return Status::InvalidArgument(std::string(whose) + ": RSA " + std::to_string(bits) +
                                       "-bit key is larger than the " +
                                       std::to_string(kMaxRsaBits) + "-bit limit");
      }
      return Status::Ok();
    }
    case EVP_PKEY_EC:
      return CheckEcCurve(key, whose);
    default:
      return Status::InvalidArgument(std::string(whose) + ": " + DescribeKey(key) +
                                     " key type is not allowed: use RSA (2048+ bits) or EC "
                                     "(P-256, P-384, P-521)");
  }
}

}  // namespace rotor::ca
