#include "base/base64.h"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>

namespace rotor {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsBase64Symbol(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

const unsigned char* Bytes(const char* p) { return reinterpret_cast<const unsigned char*>(p); }

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  // EVP_EncodeBlock takes an int length: encode in whole groups of three.
  constexpr size_t kChunk = size_t{3} << 16;
  std::string out((bytes.size() + 2) / 3 * 4, '\0');
  size_t written = 0;
  for (size_t at = 0; at < bytes.size(); at += kChunk) {
    size_t n = std::min(kChunk, bytes.size() - at);
    // The terminating NUL lands on the next group's first byte, or on the
    // string's own terminator after the last group.
    written +=
        static_cast<size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data() + written),
                                            Bytes(bytes.data() + at), static_cast<int>(n)));
  }
  out.resize(written);
  return out;
}

Result<std::string> Base64Decode(std::string_view text, std::string_view what) {
  // OpenSSL's decoder also stops quietly at '-' (a PEM boundary); Rotor
  // accepts only the alphabet, '=' and white space.
  std::string compact;
  compact.reserve(text.size());
  for (char c : text) {
    if (IsSpace(c)) continue;
    if (!IsBase64Symbol(c) && c != '=') {
      return Status::InvalidArgument(std::string(what) + " is not valid base64");
    }
    compact.push_back(c);
  }
  auto bad_padding = [&] {
    return Status::InvalidArgument(std::string(what) + " has bad base64 padding");
  };
  if (compact.size() % 4 != 0) return bad_padding();
  size_t padding = compact.size() - compact.find_last_not_of('=') - 1;
  if (compact.empty()) return std::string();
  if (padding > 2 || compact.find('=') < compact.size() - padding) return bad_padding();

  std::unique_ptr<EVP_ENCODE_CTX, decltype(&EVP_ENCODE_CTX_free)> ctx(EVP_ENCODE_CTX_new(),
                                                                      &EVP_ENCODE_CTX_free);
  if (ctx == nullptr) return Status::Internal("cannot allocate a base64 decoder");
  EVP_DecodeInit(ctx.get());
  std::string out(compact.size() / 4 * 3, '\0');
  int total = 0;
  constexpr size_t kChunk = size_t{4} << 16;
  for (size_t at = 0; at < compact.size(); at += kChunk) {
    int n = 0;
    int chunk = static_cast<int>(std::min(kChunk, compact.size() - at));
    if (EVP_DecodeUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data() + total), &n,
                         Bytes(compact.data() + at), chunk) < 0) {
      return bad_padding();
    }
    total += n;
  }
  int n = 0;
  if (EVP_DecodeFinal(ctx.get(), reinterpret_cast<unsigned char*>(out.data() + total), &n) < 0) {
    return bad_padding();
  }
  out.resize(static_cast<size_t>(total) + static_cast<size_t>(n));
  return out;
}

}  // namespace rotor
