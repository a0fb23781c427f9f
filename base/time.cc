#include "base/time.h"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace rotor {
namespace {

// Reads exactly `n` digits at `pos`; returns -1 when they are not there.
int ReadDigits(std::string_view s, size_t& pos, int n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return -1;
    v = v * 10 + (c - '0');
  }
  pos += n;
  return v;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

bool Expect(std::string_view s, size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

}  // namespace

std::string FormatTime(Time t) {
  int64_t us = ToMicros(t);
  int64_t secs = us / 1000000;
  int64_t frac = us % 1000000;
  if (frac < 0) {
    frac += 1000000;
    secs -= 1;
  }
  auto tt = static_cast<time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf, n);
  if (frac != 0) {
    char fb[16];
    std::snprintf(fb, sizeof(fb), ".%06lld", static_cast<long long>(frac));
    out += fb;
  }
  out += 'Z';
  return out;
}

Result<Time> ParseTime(std::string_view text) {
  auto bad = [&]() {
    return Status::InvalidArgument("invalid time '" + std::string(text) +
                                   "': want RFC 3339 like 2026-11-01T00:00:00Z");
  };
  size_t pos = 0;
  std::tm tm{};
  int year = ReadDigits(text, pos, 4);
  if (year < 0 || !Expect(text, pos, '-')) return bad();
  int month = ReadDigits(text, pos, 2);
  if (month < 1 || month > 12 || !Expect(text, pos, '-')) return bad();
  int day = ReadDigits(text, pos, 2);
  if (day < 1 || day > DaysInMonth(year, month)) return bad();
  int hour = 0, minute = 0, second = 0;
  int64_t micros = 0;
  int64_t offset_s = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return bad();
    ++pos;
    hour = ReadDigits(text, pos, 2);
    if (hour < 0 || hour > 23 || !Expect(text, pos, ':')) return bad();
    minute = ReadDigits(text, pos, 2);
    if (minute < 0 || minute > 59) return bad();
    if (Expect(text, pos, ':')) {
      second = ReadDigits(text, pos, 2);
      if (second < 0 || second > 60) return bad();
      if (Expect(text, pos, '.')) {
        int digits = 0;
        while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
          if (digits < 6) micros = micros * 10 + (text[pos] - '0');
          ++digits;
          ++pos;
        }
        if (digits == 0) return bad();
        for (int i = digits; i < 6; ++i) micros *= 10;
      }
    }
    if (Expect(text, pos, 'Z') || Expect(text, pos, 'z')) {
      // UTC.
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
      int sign = text[pos] == '-' ? -1 : 1;
      ++pos;
      int oh = ReadDigits(text, pos, 2);
      if (oh < 0 || oh > 23 || !Expect(text, pos, ':')) return bad();
      int om = ReadDigits(text, pos, 2);
      if (om < 0 || om > 59) return bad();
      offset_s = sign * (int64_t{oh} * 3600 + int64_t{om} * 60);
    } else {
      return bad();
    }
  }
  if (pos != text.size()) return bad();
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  time_t secs = timegm(&tm);
  return TimeFromMicros((static_cast<int64_t>(secs) - offset_s) * 1000000 + micros);
}

}  // namespace rotor
