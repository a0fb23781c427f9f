// Certificate serial numbers as Rotor writes them: positive integers of at
// most 159 bits (so that the DER encoding fits RFC 5280's 20-octet limit), in
// canonical hex: lower case, an even number of digits, no leading zero bytes
// ("01", "7f3a...", the form `openssl x509 -serial` prints, in lower case).
// Every serial_hex Rotor returns is canonical; inputs may use either case and
// leading zeros. Thread-safe (pure functions; RAND_bytes is thread-safe).
#pragma once

#include <openssl/asn1.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "services/ca/ossl.h"

namespace rotor::ca {

// A fresh random 128-bit positive serial from RAND_bytes (the DER encoding
// takes 17 octets when the top bit is set, still within RFC 5280's 20). This
// is the recommended serial: issue it in the command and record it in the
// event, so replays reuse it. Errors: kInternal when the RNG fails.
Result<std::string> RandomSerialHex();

// The canonical hex of `counter` (1 -> "01"). Deterministic serials are fine
// for tests and the simulator; production should prefer RandomSerialHex.
// Errors: kInvalidArgument when `counter` is 0 (serials must be positive).
Result<std::string> SerialHexFromCounter(uint64_t counter);

// The canonical form of `hex`. Errors: kInvalidArgument when `hex` is empty,
// has a non-hex character, is zero, or is longer than 159 bits.
Result<std::string> CanonicalSerialHex(std::string_view hex);

// `hex` (validated as by CanonicalSerialHex) as an ASN1_INTEGER.
Result<Asn1IntegerPtr> SerialToAsn1(std::string_view hex);

// The canonical hex of a certificate's serial. Errors: kInvalidArgument when
// the serial is negative, zero or cannot be converted.
Result<std::string> SerialHexOf(const ASN1_INTEGER* serial);

}  // namespace rotor::ca
