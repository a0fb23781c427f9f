#include "events/agent_report_json.h"

#include <chrono>
#include <cstdint>

#include "rotor/v1/agent_report.pb.h"

namespace rotor {
namespace {

// The fields of AgentReport, by JSON name and proto name.
enum Field { kReportId, kAgentId, kReportedAt, kFingerprints, kGatewayId, kSite, kCloudEnabled };

struct Name {
  std::string_view json, proto;
  Field field;
};

constexpr Name kNames[] = {
    {"reportId", "report_id", kReportId},
    {"agentId", "agent_id", kAgentId},
    {"reportedAt", "reported_at", kReportedAt},
    {"certificateFingerprints", "certificate_fingerprints", kFingerprints},
    {"gatewayId", "gateway_id", kGatewayId},
    {"site", "site", kSite},
    {"cloudEnabled", "cloud_enabled", kCloudEnabled},
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A cursor over the input; every Read* returns false when the input is not
// of the plain shape, leaving the cursor anywhere.
class Scanner {
 public:
  explicit Scanner(std::string_view in) : in_(in) {}

  void SkipSpace() {
    while (pos_ < in_.size() &&
           (in_[pos_] == ' ' || in_[pos_] == '\t' || in_[pos_] == '\n' || in_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool AtEnd() const { return pos_ == in_.size(); }
  // Consumes `c` after optional whitespace.
  bool Take(char c) {
    SkipSpace();
    if (pos_ == in_.size() || in_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  bool Peek(char c) {
    SkipSpace();
    return pos_ < in_.size() && in_[pos_] == c;
  }
  // A string of printable ASCII without escapes.
  bool ReadString(std::string_view* out) {
    if (!Take('"')) return false;
    size_t start = pos_;
    for (; pos_ < in_.size(); ++pos_) {
      auto c = static_cast<unsigned char>(in_[pos_]);
      if (c == '"') {
        *out = in_.substr(start, pos_ - start);
        ++pos_;
        return true;
      }
      if (c == '\\' || c < 0x20 || c >= 0x7f) return false;
    }
    return false;
  }
  bool ReadBool(bool* out) {
    SkipSpace();
    for (auto [word, value] : {std::pair{std::string_view("true"), true}, {"false", false}}) {
      if (in_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        *out = value;
        return true;
      }
    }
    return false;
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

// `n` digits of `s` from `at` as a number; false unless all are digits.
bool Digits(std::string_view s, size_t at, size_t n, int* out) {
  if (at + n > s.size()) return false;
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (!IsDigit(s[i])) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// "YYYY-MM-DDTHH:MM:SS[.fraction of 1 to 9 digits]Z", a valid date.
bool ParseUtcTime(std::string_view s, google::protobuf::Timestamp* out) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (s.size() < 20 || !Digits(s, 0, 4, &year) || s[4] != '-' || !Digits(s, 5, 2, &month) ||
      s[7] != '-' || !Digits(s, 8, 2, &day) || s[10] != 'T' || !Digits(s, 11, 2, &hour) ||
      s[13] != ':' || !Digits(s, 14, 2, &minute) || s[16] != ':' || !Digits(s, 17, 2, &second)) {
    return false;
  }
  std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month),
                                   std::chrono::day(day)};
  if (year < 1 || !date.ok() || hour > 23 || minute > 59 || second > 59) return false;
  int32_t nanos = 0;
  size_t at = 19;
  if (s[at] == '.') {
    size_t digits = 0;
    for (++at; at < s.size() && IsDigit(s[at]); ++at, ++digits) {
      if (digits < 9) nanos = nanos * 10 + (s[at] - '0');  // more than 9 is refused below
    }
    if (digits == 0 || digits > 9) return false;
    for (; digits < 9; ++digits) nanos *= 10;
  }
  if (at + 1 != s.size() || s[at] != 'Z') return false;
  int64_t days = std::chrono::sys_days{date}.time_since_epoch().count();
  out->set_seconds(days * 86400 + int64_t{hour} * 3600 + int64_t{minute} * 60 + second);
  out->set_nanos(nanos);
  return true;
}

bool ReadField(Scanner& in, Field field, v1::AgentReport* out) {
  std::string_view text;
  switch (field) {
    case kReportId:
      return in.ReadString(&text) && (out->set_report_id(std::string(text)), true);
    case kAgentId:
      return in.ReadString(&text) && (out->set_agent_id(std::string(text)), true);
    case kGatewayId:
      return in.ReadString(&text) && (out->set_gateway_id(std::string(text)), true);
    case kSite:
      return in.ReadString(&text) && (out->set_site(std::string(text)), true);
    case kReportedAt:
      return in.ReadString(&text) && ParseUtcTime(text, out->mutable_reported_at());
    case kCloudEnabled: {
      bool value = false;
      return in.ReadBool(&value) && (out->set_cloud_enabled(value), true);
    }
    case kFingerprints:
      if (!in.Take('[')) return false;
      if (in.Take(']')) return true;
      do {
        if (!in.ReadString(&text)) return false;
        out->add_certificate_fingerprints(std::string(text));
      } while (in.Take(','));
      return in.Take(']');
  }
  return false;
}

}  // namespace

bool ScanPlainAgentReportJson(std::string_view json, v1::AgentReport* out) {
  out->Clear();
  Scanner in(json);
  if (!in.Take('{')) return false;
  unsigned seen = 0;
  if (!in.Peek('}')) {
    do {
      std::string_view key;
      if (!in.ReadString(&key) || !in.Take(':')) return false;
      const Name* name = nullptr;
      for (const Name& n : kNames) {
        if (key == n.json || key == n.proto) name = &n;
      }
      if (name == nullptr || (seen & (1u << name->field)) != 0) return false;
      seen |= 1u << name->field;
      if (!ReadField(in, name->field, out)) return false;
    } while (in.Take(','));
  }
  if (!in.Take('}')) return false;
  in.SkipSpace();
  return in.AtEnd();
}

}  // namespace rotor
