#include "services/app/http_cache.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace rotor::app {
namespace {

constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int64_t Seconds(Time t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

// The entity tags of an If-None-Match list ("\"a\", W/\"b\"").
bool ListMatches(std::string_view list, std::string_view etag) {
  while (!list.empty()) {
    size_t start = list.find_first_not_of(" \t,");
    if (start == std::string_view::npos) return false;
    list.remove_prefix(start);
    if (list.front() == '*') return true;
    if (list.starts_with("W/")) list.remove_prefix(2);  // weak comparison (RFC 9110 13.1.2)
    if (list.empty() || list.front() != '"') return false;
    size_t end = list.find('"', 1);
    if (end == std::string_view::npos) return false;
    if (list.substr(0, end + 1) == etag) return true;
    list.remove_prefix(end + 1);
  }
  return false;
}

}  // namespace

std::string FormatHttpDate(Time t) {
  auto secs = static_cast<time_t>(Seconds(t));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::optional<Time> ParseHttpDate(std::string_view text) {
  if (text.size() != 29 || text.substr(3, 2) != ", " || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  std::string s(text);
  char month[4] = {};
  int day = 0;
  int year = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (std::sscanf(s.c_str() + 5, "%2d %3s %4d %2d:%2d:%2d", &day, month, &year, &hour, &minute,
                  &second) != 6) {
    return std::nullopt;
  }
  const auto* found = std::find_if(std::begin(kMonths), std::end(kMonths),
                                   [&](const char* m) { return std::string_view(m) == month; });
  if (found == std::end(kMonths) || day < 1 || day > 31 || hour > 23 || minute > 59 ||
      second > 60) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = static_cast<int>(found - std::begin(kMonths));
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return TimeFromMicros(static_cast<int64_t>(timegm(&tm)) * 1000000);
}

void AddCacheHeaders(const CacheValidators& v, Time now, ApiResponse& response) {
  int64_t max_age = std::max<int64_t>(0, Seconds(v.expires) - Seconds(now));
  response.headers.emplace_back("ETag", v.etag);
  response.headers.emplace_back("Last-Modified", FormatHttpDate(v.last_modified));
  response.headers.emplace_back("Expires", FormatHttpDate(v.expires));
  response.headers.emplace_back("Cache-Control",
                                "public, no-transform, max-age=" + std::to_string(max_age));
}

bool IsNotModified(const ApiRequest& request, const CacheValidators& v) {
  auto none_match = request.headers.find("if-none-match");
  if (none_match != request.headers.end()) return ListMatches(none_match->second, v.etag);
  auto since = request.headers.find("if-modified-since");
  if (since == request.headers.end()) return false;
  std::optional<Time> t = ParseHttpDate(since->second);
  return t.has_value() && Seconds(*t) >= Seconds(v.last_modified);
}

}  // namespace rotor::app
