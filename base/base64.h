// Standard base64 (RFC 4648, with padding) over OpenSSL's EVP codec: the
// JSON forms of the API, the audit export and rotorctl carry bytes this way.
// Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace rotor {

// `bytes` in base64, padded, on one line.
std::string Base64Encode(std::string_view bytes);

// Decodes `text`; spaces, tabs and line breaks anywhere are ignored.
// Errors: kInvalidArgument "<what> is not valid base64" for a character
// outside the alphabet, "<what> has bad base64 padding" when the symbols do
// not make whole groups of four or '=' is misplaced. Nothing is returned then.
Result<std::string> Base64Decode(std::string_view text, std::string_view what);

}  // namespace rotor
