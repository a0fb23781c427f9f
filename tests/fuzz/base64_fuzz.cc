// Target: base64 (base/base64.cc, OpenSSL's EVP codec). Base64Decode must
// refuse what is not base64 and never crash; what it accepts must decode to
// the number of bytes its symbols and padding say, and re-encode to the same
// symbols; every byte string must survive Base64Encode + Base64Decode.
//
// Input: text to decode (and bytes to encode).
#include <string>

#include "base/base64.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rotor;
  std::string_view input = fuzz::Bytes(data, size);

  Result<std::string> decoded = Base64Decode(input, "input");
  if (decoded.ok()) {
    std::string compact;
    for (char c : input) {
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') compact.push_back(c);
    }
    // Three bytes for each group of four symbols, less one per '='.
    size_t padding = compact.size() - (compact.find_last_not_of('=') + 1);
    FUZZ_CHECK(decoded->size() == compact.size() / 4 * 3 - padding);
    // Re-encoding gives the same symbols, but for unused low bits of the
    // last group, which RFC 4648 lets a decoder ignore.
    std::string encoded = Base64Encode(*decoded);
    FUZZ_CHECK(encoded.size() == compact.size());
    FUZZ_CHECK(encoded.compare(0, encoded.size() >= 4 ? encoded.size() - 4 : 0, compact, 0,
                               encoded.size() >= 4 ? encoded.size() - 4 : 0) == 0);
  } else {
    FUZZ_CHECK(decoded.status().code() == StatusCode::kInvalidArgument);
  }

  Result<std::string> round = Base64Decode(Base64Encode(input), "encoded");
  FUZZ_CHECK(round.ok() && *round == input);
  return 0;
}
