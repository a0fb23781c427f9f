// Human-readable output for rotorctl: progress bars, durations, tables and
// tolerant accessors over the API's JSON (a missing field reads as empty or
// zero, so output degrades instead of failing when the server adds or
// renames a field). `--json` bypasses all of this. Pure functions;
// thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rotor::ctl {

using nlohmann::json;

// The string at `key` (numbers and booleans as text); "" when absent.
std::string Str(const json& object, std::string_view key);
// The number at `key`; 0 when absent or not a number.
int64_t Num(const json& object, std::string_view key);
// The boolean at `key`; false when absent.
bool Bool(const json& object, std::string_view key);
// The first present key of `keys` as a string ("rollout_id" or "id").
std::string FirstStr(const json& object, std::initializer_list<std::string_view> keys);
// The array at `key`, or at `fallback` keys; an empty array when none is.
const json& Array(const json& object, std::initializer_list<std::string_view> keys);

// "1d 4h", "3h 12m", "12m 5s", "40s".
std::string FormatDuration(int64_t seconds);
// "[##########----------]" of `width` cells, `done` of `total` filled.
std::string Bar(uint64_t done, uint64_t total, int width);
// "86.8%" ("-" when total is 0).
std::string Percent(uint64_t done, uint64_t total);

// One rollout's progress in one line:
// "web-2026-11  [#####-----]  2076 of 2393 received (86.8%)  stale 40  ETA 1d 4h  distributing".
std::string ProgressLine(const json& progress, int bar_width = 30);
// One rollout's progress in detail: the summary, the bar, counts, rate and
// ETA, pending gateway steps, and the per-gateway and per-site breakdowns.
std::string ProgressDetail(const json& progress);
// True when the rollout will change no more (finalized, cancelled, completed).
bool IsEnded(const json& progress);
// True when nothing is outstanding (ready to finalize, or ended).
bool IsReady(const json& progress);

// Left-aligned columns separated by two spaces.
std::string Table(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows);

}  // namespace rotor::ctl
