// base/coding.h: varints, big-endian integers and hex round-trip, have the
// documented lengths and byte order, and reject malformed input.
#include "base/coding.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "base/hash.h"

namespace rotor {
namespace {

std::vector<uint64_t> SampleValues() {
  std::vector<uint64_t> values = {0, 1, 127, 128, 255, 300, 16383, 16384};
  for (int shift = 7; shift < 64; shift += 7) {
    values.push_back((uint64_t{1} << shift) - 1);
    values.push_back(uint64_t{1} << shift);
  }
  values.push_back(std::numeric_limits<uint64_t>::max());
  return values;
}

TEST(CodingTest, VarintsRoundTripWithTheirLength) {
  std::string buf;
  for (uint64_t v : SampleValues()) PutVarint64(&buf, v);
  const char* p = buf.data();
  const char* limit = buf.data() + buf.size();
  for (uint64_t want : SampleValues()) {
    uint64_t got = 0;
    const char* next = GetVarint64Ptr(p, limit, &got);
    ASSERT_NE(next, nullptr) << want;
    EXPECT_EQ(got, want);
    EXPECT_EQ(next - p, VarintLength(want)) << want;
    p = next;
  }
  EXPECT_EQ(p, limit);
}

TEST(CodingTest, VarintsAreProtobufsLeb128) {
  std::string buf;
  PutVarint64(&buf, 300);
  EXPECT_EQ(buf, std::string("\xac\x02", 2));
  EXPECT_EQ(VarintLength(std::numeric_limits<uint64_t>::max()), 10);
  char raw[10];
  EXPECT_EQ(EncodeVarint64(raw, 300) - raw, 2);
}

TEST(CodingTest, ATruncatedOrOverlongVarintIsRejected) {
  std::string buf;
  PutVarint64(&buf, uint64_t{1} << 40);
  uint64_t v = 0;
  EXPECT_EQ(GetVarint64Ptr(buf.data(), buf.data() + buf.size() - 1, &v), nullptr);
  std::string overlong(11, '\x80');
  overlong.back() = '\x01';
  EXPECT_EQ(GetVarint64Ptr(overlong.data(), overlong.data() + overlong.size(), &v), nullptr);
}

TEST(CodingTest, BigEndianIntegersSortInNumericOrder) {
  std::string a, b;
  PutBigEndian64(&a, 255);
  PutBigEndian64(&b, 256);
  EXPECT_EQ(a, std::string("\0\0\0\0\0\0\0\xff", 8));
  EXPECT_LT(a, b);
  EXPECT_EQ(GetBigEndian64(b), 256u);
  std::string c;
  PutBigEndian32(&c, 0x01020304);
  EXPECT_EQ(c, "\x01\x02\x03\x04");
  EXPECT_EQ(GetBigEndian32(c), 0x01020304u);
  for (uint64_t v : SampleValues()) {
    std::string s;
    PutBigEndian64(&s, v);
    EXPECT_EQ(GetBigEndian64(s), v);
  }
}

TEST(CodingTest, HexRoundTripsAndRejectsWhatIsNotHex) {
  std::string bytes("\x00\x7f\x80\xff", 4);
  EXPECT_EQ(ToHex(bytes), "007f80ff");
  std::string out = "x";
  ASSERT_TRUE(FromHex("007F80ff", &out));
  EXPECT_EQ(out, "x" + bytes) << "decoded bytes are appended";
  for (const char* bad : {"0", "0g", " f", "+f"}) {
    std::string unchanged;
    EXPECT_FALSE(FromHex(bad, &unchanged)) << bad;
    EXPECT_TRUE(unchanged.empty()) << bad;
  }
}

TEST(CodingTest, Sha256DigestsReadBackOnlyFromLowerCaseHex) {
  Sha256Digest d = Sha256("rotor");
  Sha256Digest back{};
  ASSERT_TRUE(Sha256FromHex(ToHex(d), &back));
  EXPECT_EQ(back, d);
  std::string upper = ToHex(d);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_FALSE(Sha256FromHex(upper, &back));
  EXPECT_FALSE(Sha256FromHex(ToHex(d).substr(2), &back));
}

}  // namespace
}  // namespace rotor
