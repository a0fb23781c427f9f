// FormatTime and ParseTime: RFC 3339 in UTC, round trips, and bad input.
#include "base/time.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/base/base_printers.h"

namespace rotor {
namespace {

constexpr int64_t kNov1 = int64_t{1793491200} * 1000000;  // 2026-11-01T00:00:00Z

TEST(TimeTest, FormatsUtcWithMicrosecondsOnlyWhenNonZero) {
  EXPECT_EQ(FormatTime(TimeFromMicros(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTime(TimeFromMicros(kNov1)), "2026-11-01T00:00:00Z");
  EXPECT_EQ(FormatTime(TimeFromMicros(kNov1 + 1)), "2026-11-01T00:00:00.000001Z");
  EXPECT_EQ(FormatTime(TimeFromMicros(kNov1 + 500000)), "2026-11-01T00:00:00.500000Z");
  EXPECT_EQ(FormatTime(TimeFromMicros(-500000)), "1969-12-31T23:59:59.500000Z");
}

TEST(TimeTest, ParsesEveryAcceptedForm) {
  struct Case {
    const char* text;
    int64_t micros;
  };
  const Case cases[] = {
      {"2026-11-01T00:00:00Z", kNov1},
      {"2026-11-01T00:00Z", kNov1},
      {"2026-11-01", kNov1},
      {"2026-11-01t00:00:00z", kNov1},
      {"2026-11-01 00:00:00Z", kNov1},
      {"2026-11-01T02:00:00.5+02:00", kNov1 + 500000},
      {"2026-10-31T19:30:00-04:30", kNov1},
      {"2026-11-01T00:00:00.000001Z", kNov1 + 1},
      {"2026-11-01T00:00:00.1234569Z", kNov1 + 123456},  // beyond microseconds: truncated
      {"2026-11-01T13:14:15Z", kNov1 + (13 * 3600 + 14 * 60 + 15) * int64_t{1000000}},
      {"2024-02-29", int64_t{1709164800} * 1000000},  // leap day
      {"1969-12-31T23:59:59.5Z", -500000},
  };
  for (const Case& c : cases) {
    auto t = ParseTime(c.text);
    ASSERT_TRUE(t.ok()) << c.text << ": " << t.status().ToString();
    EXPECT_EQ(ToMicros(*t), c.micros) << c.text;
  }
}

TEST(TimeTest, FormatThenParseRoundTrips) {
  for (int64_t us : {int64_t{0}, int64_t{1}, int64_t{-1}, kNov1, kNov1 + 999999, int64_t{-1500001},
                     int64_t{253402300799999999} /* 9999-12-31T23:59:59.999999Z */}) {
    auto t = ParseTime(FormatTime(TimeFromMicros(us)));
    ASSERT_TRUE(t.ok()) << us << ": " << t.status().ToString();
    EXPECT_EQ(ToMicros(*t), us) << FormatTime(TimeFromMicros(us));
  }
}

TEST(TimeTest, BadInputIsInvalidArgumentNamingTheText) {
  for (const char* text : {
           "",
           "2026",
           "2026-11",
           "26-11-01",
           "2026/11/01",
           "2026-13-01",
           "2026-00-10",
           "2026-11-00",
           "2026-11-32",
           "2026-02-29",  // not a leap year
           "2026-02-30",
           "2026-04-31",
           "2026-11-01T",
           "2026-11-01T24:00Z",
           "2026-11-01T00:60Z",
           "2026-11-01T00:00:61Z",
           "2026-11-01T00:00:00",  // no zone
           "2026-11-01T00:00:00.Z",
           "2026-11-01T00:00:00Zjunk",
           "2026-11-01T00:00:00+0200",
           "2026-11-01T00:00:00+24:00",
           "2026-11-01T00:00:00+02:60",
           "2026-11-01X00:00:00Z",
           "x026-11-01",
           " 2026-11-01",
       }) {
    auto t = ParseTime(text);
    ASSERT_FALSE(t.ok()) << "'" << text << "' parsed as " << FormatTime(*t);
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(t.status().message().find("'" + std::string(text) + "'"), std::string::npos)
        << t.status().message();
  }
}

}  // namespace
}  // namespace rotor
