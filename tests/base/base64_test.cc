// Base64Encode and Base64Decode: RFC 4648's vectors, round trips across the
// codec's internal chunking, and every way the input can be wrong.
#include "base/base64.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/base/base_printers.h"

namespace rotor {
namespace {

struct Vector {
  const char* bytes;
  const char* text;
};
// RFC 4648, section 10.
constexpr Vector kRfc4648[] = {{"", ""},
                               {"f", "Zg=="},
                               {"fo", "Zm8="},
                               {"foo", "Zm9v"},
                               {"foob", "Zm9vYg=="},
                               {"fooba", "Zm9vYmE="},
                               {"foobar", "Zm9vYmFy"}};

TEST(Base64Test, EncodesAndDecodesTheRfc4648Vectors) {
  for (const Vector& v : kRfc4648) {
    EXPECT_EQ(Base64Encode(v.bytes), v.text);
    Result<std::string> decoded = Base64Decode(v.text, "field");
    ASSERT_TRUE(decoded.ok()) << v.text << ": " << decoded.status().ToString();
    EXPECT_EQ(*decoded, v.bytes);
  }
}

TEST(Base64Test, RoundTripsEveryByteValueAndLengthsPastOneChunk) {
  // The codec works in chunks of 196,608 bytes (encoding) and 262,144
  // symbols (decoding); these lengths cross both boundaries.
  for (size_t length :
       {size_t{1}, size_t{255}, size_t{196607}, size_t{196608}, size_t{196609}, size_t{700001}}) {
    std::string bytes(length, '\0');
    for (size_t i = 0; i < length; ++i) bytes[i] = static_cast<char>((i * 7 + i / 256) & 0xff);
    std::string text = Base64Encode(bytes);
    EXPECT_EQ(text.size(), (length + 2) / 3 * 4);
    EXPECT_EQ(
        text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="),
        std::string::npos);
    Result<std::string> decoded = Base64Decode(text, "field");
    ASSERT_TRUE(decoded.ok()) << length << ": " << decoded.status().ToString();
    EXPECT_EQ(*decoded, bytes) << length;
  }
}

TEST(Base64Test, IgnoresWhiteSpaceAnywhere) {
  Result<std::string> decoded = Base64Decode(" Zm9v\r\nYm\tFy\n", "field");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, "foobar");
}

TEST(Base64Test, RefusesCharactersOutsideTheAlphabetNamingTheField) {
  // '-' and '_' are base64url; OpenSSL's decoder would stop at '-' quietly.
  for (const char* text : {"Zm9v-mFy", "Zm9v_mFy", "Zm9v.mFy", "Zm9vYmFy\x01", "Zm9\xc3\xa9"}) {
    Result<std::string> decoded = Base64Decode(text, "field 'der_base64'");
    ASSERT_FALSE(decoded.ok()) << text;
    EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(decoded.status().message(), "field 'der_base64' is not valid base64") << text;
  }
}

TEST(Base64Test, RefusesIncompleteGroupsAndMisplacedPadding) {
  for (const char* text :
       {"Z", "Zm9", "Zm9vY", "Zg=", "Zg===", "Z===", "====", "Zg==Zg==", "Z=g=", "Zm=v"}) {
    Result<std::string> decoded = Base64Decode(text, "payload");
    ASSERT_FALSE(decoded.ok()) << text;
    EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(decoded.status().message(), "payload has bad base64 padding") << text;
  }
}

}  // namespace
}  // namespace rotor
