// Human-readable output. See format.h.
#include "services/rotorctl/format.h"

#include <algorithm>
#include <cstdio>

namespace rotor::ctl {
namespace {

const json& Empty() {
  static const json kEmpty = json::array();
  return kEmpty;
}

std::string Status(const json& p) { return FirstStr(p, {"status", "state"}); }

void AppendBreakdown(std::string& out, const json& p, std::string_view key, std::string_view title,
                     std::initializer_list<std::string_view> name_keys) {
  const json& rows = Array(p, {key});
  if (rows.empty()) return;
  std::vector<std::vector<std::string>> table;
  for (const json& row : rows) {
    std::string name = FirstStr(row, name_keys);
    table.push_back(
        {name.empty() ? "(none)" : name,
         std::to_string(Num(row, "received")) + " of " + std::to_string(Num(row, "total")),
         std::to_string(Num(row, "outstanding")), std::to_string(Num(row, "stale"))});
  }
  out += "\n";
  out += Table({std::string(title), "received", "outstanding", "stale"}, table);
}

}  // namespace

std::string Str(const json& object, std::string_view key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

int64_t Num(const json& object, std::string_view key) {
  if (!object.is_object()) return 0;
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return 0;
  return it->get<int64_t>();
}

bool Bool(const json& object, std::string_view key) {
  if (!object.is_object()) return false;
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

std::string FirstStr(const json& object, std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    std::string value = Str(object, key);
    if (!value.empty()) return value;
  }
  return {};
}

const json& Array(const json& object, std::initializer_list<std::string_view> keys) {
  if (object.is_array()) return object;
  if (!object.is_object()) return Empty();
  for (std::string_view key : keys) {
    auto it = object.find(key);
    if (it != object.end() && it->is_array()) return *it;
  }
  return Empty();
}

std::string FormatDuration(int64_t seconds) {
  if (seconds < 0) seconds = 0;
  int64_t d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60,
          s = seconds % 60;
  if (d > 0) return std::to_string(d) + "d " + std::to_string(h) + "h";
  if (h > 0) return std::to_string(h) + "h " + std::to_string(m) + "m";
  if (m > 0) return std::to_string(m) + "m " + std::to_string(s) + "s";
  return std::to_string(s) + "s";
}

std::string Bar(uint64_t done, uint64_t total, int width) {
  int filled = total == 0 ? 0 : static_cast<int>(done * width / total);
  filled = std::clamp(filled, 0, width);
  return "[" + std::string(filled, '#') + std::string(width - filled, '-') + "]";
}

std::string Percent(uint64_t done, uint64_t total) {
  if (total == 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%",
                100.0 * static_cast<double>(done) / static_cast<double>(total));
  return buf;
}

bool IsEnded(const json& progress) {
  std::string s = Status(progress);
  return s.rfind("finalized", 0) == 0 || s == "cancelled" || s == "completed";
}

bool IsReady(const json& progress) {
  return IsEnded(progress) || Status(progress) == "ready to finalize";
}

std::string ProgressLine(const json& p, int bar_width) {
  uint64_t total = Num(p, "total"), received = Num(p, "received");
  std::string line = FirstStr(p, {"rollout_id", "id"}) + "  " + Bar(received, total, bar_width) +
                     "  " + std::to_string(received) + " of " + std::to_string(total) +
                     " received (" + Percent(received, total) + ")";
  line += "  stale " + std::to_string(Num(p, "stale"));
  if (Num(p, "revoked") > 0) line += "  revoked " + std::to_string(Num(p, "revoked"));
  if (p.contains("eta_seconds") && p["eta_seconds"].is_number()) {
    line += "  ETA " + FormatDuration(Num(p, "eta_seconds"));
  } else if (!IsReady(p)) {
    line += "  ETA -";
  }
  std::string status = Status(p);
  if (!status.empty()) line += "  " + status;
  return line;
}

std::string ProgressDetail(const json& p) {
  uint64_t total = Num(p, "total"), received = Num(p, "received");
  std::string out = "rollout " + FirstStr(p, {"rollout_id", "id"});
  std::string kind = FirstStr(p, {"kind"});
  std::string cert_kind = FirstStr(p, {"certificate_kind"});
  std::string mode = FirstStr(p, {"mode"});
  if (!kind.empty()) out += ": " + kind;
  if (!cert_kind.empty()) out += " of " + cert_kind;
  if (!mode.empty()) out += " (" + mode + ")";
  out += ", " + Status(p) + "\n";
  std::string summary = Str(p, "summary");
  if (summary.empty()) {
    summary = std::to_string(received) + " of " + std::to_string(total) +
              " agents received the new certificate";
  }
  out += "  " + summary + "\n";
  out += "  " + Bar(received, total, 40) + " " + Percent(received, total) + "\n";
  out += "  outstanding " + std::to_string(Num(p, "outstanding")) + ", stale " +
         std::to_string(Num(p, "stale")) + " (" + std::to_string(Num(p, "stale_outstanding")) +
         " outstanding), revoked " + std::to_string(Num(p, "revoked")) + ", not counted " +
         std::to_string(Num(p, "not_counted")) + "\n";
  std::string rate = Str(p, "rate_per_hour");
  out += "  rate " + (rate.empty() ? std::string("-") : rate) + "/h, ETA " +
         (p.contains("eta_seconds") && p["eta_seconds"].is_number()
              ? FormatDuration(Num(p, "eta_seconds"))
              : std::string("-")) +
         "\n";
  const json& pending = Array(p, {"pending_gateway_steps", "pending_gateway_refreshes"});
  for (const json& step : pending) {
    out += "  pending: refresh gateway " + FirstStr(step, {"gateway_id", "gateway"}) + " (" +
           Str(step, "step") + ")\n";
  }
  AppendBreakdown(out, p, "by_gateway", "gateway", {"gateway_id", "gateway", "key"});
  AppendBreakdown(out, p, "by_site", "site", {"site", "key"});
  return out;
}

std::string Table(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(header.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  };
  measure(header);
  for (const auto& row : rows) measure(row);
  std::string out;
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  };
  emit(header);
  for (const auto& row : rows) emit(row);
  return out;
}

}  // namespace rotor::ctl
