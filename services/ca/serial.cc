#include "services/ca/serial.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <array>
#include <cctype>

#include "base/hash.h"

namespace rotor::ca {
namespace {

constexpr int kMaxSerialBits = 159;
constexpr size_t kMaxSerialHexDigits = 256;

// Lower-case even-length hex of a positive BIGNUM.
Result<std::string> BignumToHex(const BIGNUM* bn) {
  char* hex = BN_bn2hex(bn);
  if (hex == nullptr) return OpenSslError(StatusCode::kInternal, "BN_bn2hex");
  std::string out(hex);
  OPENSSL_free(hex);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<BignumPtr> ParseSerial(std::string_view hex) {
  if (hex.empty()) return Status::InvalidArgument("serial is empty");
  if (hex.size() > kMaxSerialHexDigits) {
    return Status::InvalidArgument("serial has " + std::to_string(hex.size()) +
                                   " hex digits, too long for a serial");
  }
  for (char c : hex) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return Status::InvalidArgument("serial '" + std::string(hex) +
                                     "' is not hex: unexpected character '" + c + "'");
    }
  }
  std::string text(hex);
  BIGNUM* raw = nullptr;
  if (BN_hex2bn(&raw, text.c_str()) != static_cast<int>(text.size())) {
    BN_free(raw);
    return OpenSslError(StatusCode::kInvalidArgument, "serial '" + text + "' cannot be parsed");
  }
  BignumPtr bn(raw);
  if (BN_is_zero(bn.get())) return Status::InvalidArgument("serial must be positive, not zero");
  if (BN_num_bits(bn.get()) > kMaxSerialBits) {
    return Status::InvalidArgument("serial '" + text + "' has " +
                                   std::to_string(BN_num_bits(bn.get())) +
                                   " bits; RFC 5280 allows at most 159 (20 octets)");
  }
  return bn;
}

}  // namespace

Result<std::string> RandomSerialHex() {
  std::array<unsigned char, 16> bytes{};
  for (int attempt = 0; attempt < 4; ++attempt) {
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
      return OpenSslError(StatusCode::kInternal, "RAND_bytes for a certificate serial");
    }
    std::string_view view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (view.find_first_not_of('\0') != std::string_view::npos) {
      return CanonicalSerialHex(ToHex(view));
    }
  }
  return Status::Internal("RAND_bytes returned all-zero serials repeatedly");
}

Result<std::string> SerialHexFromCounter(uint64_t counter) {
  if (counter == 0) return Status::InvalidArgument("serial counter must be positive, not 0");
  std::array<char, 8> be{};
  for (int i = 7; i >= 0; --i) {
    be[static_cast<size_t>(i)] = static_cast<char>(counter & 0xff);
    counter >>= 8;
  }
  return CanonicalSerialHex(ToHex(std::string_view(be.data(), be.size())));
}

Result<std::string> CanonicalSerialHex(std::string_view hex) {
  auto bn = ParseSerial(hex);
  if (!bn.ok()) return bn.status();
  return BignumToHex(bn->get());
}

Result<Asn1IntegerPtr> SerialToAsn1(std::string_view hex) {
  auto bn = ParseSerial(hex);
  if (!bn.ok()) return bn.status();
  Asn1IntegerPtr out(BN_to_ASN1_INTEGER(bn->get(), nullptr));
  if (out == nullptr) return OpenSslError(StatusCode::kInternal, "BN_to_ASN1_INTEGER");
  return out;
}

Result<std::string> SerialHexOf(const ASN1_INTEGER* serial) {
  if (serial == nullptr) return Status::InvalidArgument("certificate has no serial");
  BignumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (bn == nullptr) return OpenSslError(StatusCode::kInvalidArgument, "serial cannot be read");
  if (BN_is_negative(bn.get()) || BN_is_zero(bn.get())) {
    return Status::InvalidArgument("serial is not positive");
  }
  return BignumToHex(bn.get());
}

}  // namespace rotor::ca
