#include "base/hash.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cassert>
#include <memory>

#include "base/sha256_parts.h"

namespace rotor {

namespace {

// SHA-256 is fetched from the provider once: passing EVP_sha256() to every
// EVP_DigestInit_ex makes OpenSSL 3 look the algorithm up again, which costs
// more than hashing a record. Never freed (process lifetime).
const EVP_MD* Sha256Md() {
  static const EVP_MD* const md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
    return fetched != nullptr ? fetched : EVP_sha256();
  }();
  return md;
}

struct CtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// One digest context per thread, re-initialised for every hash.
EVP_MD_CTX* ThreadCtx() {
  thread_local std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  return ctx.get();
}

}  // namespace

Sha256Digest Sha256(std::string_view a, std::string_view b) {
  const std::string_view parts[] = {a, b};
  return Sha256OfParts(parts);
}

Sha256Digest Sha256OfParts(std::span<const std::string_view> parts) {
  Sha256Digest out{};
  EVP_MD_CTX* ctx = ThreadCtx();
  unsigned int len = 0;
  bool ok = ctx != nullptr && EVP_DigestInit_ex2(ctx, Sha256Md(), nullptr) == 1;
  for (std::string_view part : parts) {
    ok = ok && EVP_DigestUpdate(ctx, part.data(), part.size()) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(ctx, out.data(), &len) == 1;
  // SHA-256 through EVP cannot fail short of memory exhaustion.
  assert(ok && len == out.size());
  (void)ok;
  return out;
}

bool IsSha256Hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool Sha256FromHex(std::string_view hex, Sha256Digest* out) {
  std::string bytes;
  if (!IsSha256Hex(hex) || !FromHex(hex, &bytes)) return false;
  std::copy(bytes.begin(), bytes.end(), out->begin());
  return true;
}

}  // namespace rotor
