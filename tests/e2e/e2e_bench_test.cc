// End to end for `rotor-bench node` (issue #17's benchmark) and `rotor-bench
// ingest` (issue #16's) at a tiny size. The node bench
// starts the real rotord binary, builds both fleets through the HTTP
// API, restarts rotord, and prints one JSON object holding every figure.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_process.h"
#include "tests/testing/temp_dir.h"

namespace rotor::testing {
namespace {

using nlohmann::json;

// Every figure `rotor-bench node --json` prints as a number.
constexpr const char* kNumbers[] = {"agents",
                                    "small_agents",
                                    "events",
                                    "ingest_s",
                                    "ingest_reports_per_s",
                                    "startup_s",
                                    "startup_listen_s",
                                    "startup_empty_s",
                                    "startup_after_sigkill_s",
                                    "startup_variant_s",
                                    "log_rounds",
                                    "events_long",
                                    "startup_long_s",
                                    "rss_bytes",
                                    "rss_empty_bytes",
                                    "rss_bytes_per_agent",
                                    "rss_peak_bytes",
                                    "rss_peak_bytes_per_agent",
                                    "requests",
                                    "csr_p99_ms_small_fleet",
                                    "csr_p99_ms",
                                    "csr_p99_ratio",
                                    "report_p99_ms_small_fleet",
                                    "report_p99_ms",
                                    "report_p99_ratio",
                                    "finalize_refusal_ms_small_fleet",
                                    "finalize_refusal_ms",
                                    "wal_bytes"};

TEST(BenchNodeTest, JsonHoldsEveryFigureOfATinyRun) {
  TempDir dir;
  ToolResult run = RunTool(
      "rotor-bench",
      {"node", "--agents", "200", "--small-agents", "60", "--requests", "10", "--log-rounds", "2",
       "--variant-args", "--http-threads 8", "--dir", dir.path(), "--json"},
      {}, {}, std::chrono::seconds(120));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  json j = json::parse(run.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << run.out;
  for (const char* key : kNumbers) {
    ASSERT_TRUE(j.contains(key) && j[key].is_number()) << key << " in " << run.out;
    EXPECT_GT(j[key].get<double>(), 0) << key << " in " << run.out;
  }
  for (const char* key : {"transport", "startup_variant_args", "rotord_snapshot_flags"}) {
    EXPECT_TRUE(j.contains(key) && j[key].is_string()) << key << " in " << run.out;
  }
  EXPECT_TRUE(j["targets"].is_object()) << run.out;
  EXPECT_TRUE(j["targets_met"].is_boolean()) << run.out;
  EXPECT_EQ(j["agents"], 200);
  EXPECT_EQ(j["small_agents"], 60);
  EXPECT_EQ(j["requests"], 10);
  // Two certificates, 200 reports, two rollouts, then 10 CSRs, 10 reports
  // and 5 refused finalizes: every one an event of the large fleet's log.
  EXPECT_GE(j["events"].get<uint64_t>(), 200u + 2 + 2 + 10 + 10 + 5) << run.out;
  // The longer log: every agent reported once more.
  EXPECT_EQ(j["log_rounds"], 2);
  EXPECT_GE(j["events_long"].get<uint64_t>(), j["events"].get<uint64_t>() + 200) << run.out;
  EXPECT_DOUBLE_EQ(j["rss_bytes_per_agent"].get<double>(),
                   std::round(j["rss_bytes"].get<double>() / 200 * 1e4) / 1e4);
  EXPECT_GE(j["rss_peak_bytes"].get<uint64_t>(), j["rss_empty_bytes"].get<uint64_t>());
  // The scratch directory (data, logs, tokens, CA) is gone without --keep.
  EXPECT_TRUE(std::filesystem::is_empty(dir.path())) << dir.path();
}

TEST(BenchNodeTest, RefusesMoreRequestsThanTheSmallFleetHasAgentsFor) {
  TempDir dir;
  ToolResult run = RunTool("rotor-bench", {"node", "--agents", "300", "--small-agents", "30",
                                           "--requests", "20", "--dir", dir.path(), "--json"});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("--requests 20 needs --small-agents of at least 40 (got 30)"),
            std::string::npos)
      << run.err;
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

// `rotor-bench ingest` at a tiny size: every side ran over every report (the
// raw side refuses to report a rate for fewer reports than asked).
TEST(BenchIngestTest, JsonHoldsEveryFigureOfATinyRun) {
  TempDir dir;
  ToolResult run = RunTool(
      "rotor-bench",
      {"ingest", "--reports", "250", "--batch", "100", "--shuffle", "--dir", dir.path(), "--json"},
      {}, {}, std::chrono::seconds(120));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  json j = json::parse(run.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << run.out;
  for (const char* key : {"request_bytes", "http_ingest_per_s", "raw_durable_write_per_s",
                          "http_vs_raw_durable_write", "http_cpu_us_per_report",
                          "engine_ingest_per_s", "engine_cpu_us_per_report"}) {
    ASSERT_TRUE(j.contains(key) && j[key].is_number()) << key << " in " << run.out;
    EXPECT_GT(j[key].get<double>(), 0) << key << " in " << run.out;
  }
  EXPECT_EQ(j["reports"], 250);
  EXPECT_EQ(j["batch"], 100);
  EXPECT_EQ(j["shuffle"], true);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path())) << dir.path();
}

}  // namespace
}  // namespace rotor::testing
