// Serial helpers: random 128-bit serials, counter serials and the canonical
// hex form shared by issued certificates and CRL entries.
#include "services/ca/serial.h"

#include <gtest/gtest.h>

#include <set>

namespace rotor::ca {
namespace {

TEST(SerialTest, RandomSerialsAreDistinctPositiveAndAtMost128Bits) {
  std::set<std::string> seen;
  for (int i = 0; i < 64; ++i) {
    auto serial = RandomSerialHex();
    ASSERT_TRUE(serial.ok()) << serial.status().ToString();
    EXPECT_LE(serial->size(), 32u);
    EXPECT_EQ(CanonicalSerialHex(*serial).value(), *serial);
    seen.insert(*serial);
  }
  EXPECT_EQ(seen.size(), 64u);
}

TEST(SerialTest, CounterSerialsAreCanonicalHex) {
  EXPECT_EQ(SerialHexFromCounter(1).value(), "01");
  EXPECT_EQ(SerialHexFromCounter(0x1234).value(), "1234");
  EXPECT_EQ(SerialHexFromCounter(0xabc).value(), "0abc");
  EXPECT_EQ(SerialHexFromCounter(UINT64_MAX).value(), "ffffffffffffffff");
  EXPECT_EQ(SerialHexFromCounter(0).status().code(), StatusCode::kInvalidArgument);
}

TEST(SerialTest, CanonicalFormIsLowerCaseEvenLengthWithoutLeadingZeroBytes) {
  EXPECT_EQ(CanonicalSerialHex("00AbC").value(), "0abc");
  EXPECT_EQ(CanonicalSerialHex("0000ff").value(), "ff");
  EXPECT_EQ(CanonicalSerialHex(std::string(40, '7')).value(), std::string(40, '7'));
}

TEST(SerialTest, InvalidSerialsAreRejected) {
  for (const char* bad : {"", "0", "000", "-1", "12g4", "0x12"}) {
    auto serial = CanonicalSerialHex(bad);
    EXPECT_FALSE(serial.ok()) << bad;
    EXPECT_EQ(serial.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  // 160 bits do not fit RFC 5280's 20 octets as a positive DER INTEGER.
  auto too_big = CanonicalSerialHex("8" + std::string(39, '0'));
  ASSERT_FALSE(too_big.ok());
  EXPECT_NE(too_big.status().message().find("at most 159"), std::string::npos);
}

TEST(SerialTest, SerialRoundTripsThroughAsn1) {
  auto asn1 = SerialToAsn1("00C0FFEE");
  ASSERT_TRUE(asn1.ok());
  EXPECT_EQ(SerialHexOf(asn1->get()).value(), "c0ffee");
}

}  // namespace
}  // namespace rotor::ca
