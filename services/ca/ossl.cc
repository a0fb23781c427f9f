#include "services/ca/ossl.h"

#include <openssl/core_names.h>
#include <openssl/err.h>

#include <chrono>
#include <ctime>

namespace rotor::ca {

std::string DrainOpenSslErrors() {
  std::string out;
  for (auto e = ERR_get_error(); e != 0; e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "no OpenSSL error recorded" : out;
}

Status OpenSslError(StatusCode code, std::string_view what) {
  return {code, std::string(what) + ": " + DrainOpenSslErrors()};
}

Result<BioPtr> MemoryBioFor(std::string_view data) {
  if (data.size() > static_cast<size_t>(INT32_MAX)) {
    return Status::InvalidArgument("input of " + std::to_string(data.size()) +
                                   " bytes is too large");
  }
  BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  if (bio == nullptr) return OpenSslError(StatusCode::kInternal, "BIO_new_mem_buf");
  return bio;
}

Time TruncateToSeconds(Time t) { return std::chrono::floor<std::chrono::seconds>(t); }

Result<Asn1TimePtr> ToAsn1Time(Time t) {
  auto secs = std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
  // 0000-01-01 .. 9999-12-31T23:59:59Z, the range of GeneralizedTime.
  constexpr int64_t kMin = -62167219200;
  constexpr int64_t kMax = 253402300799;
  if (secs < kMin || secs > kMax) {
    return Status::InvalidArgument("time " + std::to_string(secs) +
                                   "s since the epoch is outside the years 0000-9999");
  }
  Asn1TimePtr out(ASN1_TIME_set(nullptr, static_cast<time_t>(secs)));
  if (out == nullptr) {
    return OpenSslError(StatusCode::kInvalidArgument,
                        "cannot encode time " + FormatTime(t) + " as ASN1_TIME");
  }
  return out;
}

Result<Time> FromAsn1Time(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    return OpenSslError(StatusCode::kInvalidArgument, "malformed ASN1_TIME");
  }
  namespace chrono = std::chrono;
  chrono::year_month_day ymd{chrono::year(tm.tm_year + 1900),
                             chrono::month(static_cast<unsigned>(tm.tm_mon + 1)),
                             chrono::day(static_cast<unsigned>(tm.tm_mday))};
  if (!ymd.ok()) return Status::InvalidArgument("ASN1_TIME has an invalid date");
  auto tp = chrono::sys_days{ymd} + chrono::hours(tm.tm_hour) + chrono::minutes(tm.tm_min) +
            chrono::seconds(tm.tm_sec);
  return Time(chrono::duration_cast<Micros>(tp.time_since_epoch()));
}

std::string DescribeKey(const EVP_PKEY* key) {
  if (key == nullptr) return "no key";
  int bits = EVP_PKEY_get_bits(key);
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      return "RSA " + std::to_string(bits) + "-bit";
    case EVP_PKEY_EC: {
      char group[64] = {};
      size_t len = 0;
      if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                         &len) == 1) {
        return std::string("EC ") + group;
      }
      return "EC " + std::to_string(bits) + "-bit";
    }
    default: {
      const char* name = EVP_PKEY_get0_type_name(key);
      return std::string(name != nullptr ? name : "unknown") + " " + std::to_string(bits) + "-bit";
    }
  }
}

}  // namespace rotor::ca
