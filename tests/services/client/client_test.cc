// Unit tests for the client side: the SSE parser and error mapping of
// rotor_client, rotorctl's text formatting, and rotor-sim's fleet model.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "services/client/sse.h"
#include "services/client/transport.h"
#include "services/rotorctl/format.h"
#include "services/sim/fleet.h"

namespace rotor {
namespace {

using nlohmann::json;

std::vector<std::pair<std::string, std::string>> ParseAll(const std::vector<std::string>& chunks) {
  std::vector<std::pair<std::string, std::string>> events;
  client::SseParser parser([&](const std::string& event, const std::string& data) {
    events.emplace_back(event, data);
    return true;
  });
  for (const std::string& chunk : chunks) EXPECT_TRUE(parser.Feed(chunk));
  return events;
}

TEST(SseParserTest, EventsSplitAcrossChunksAndLineEndings) {
  auto events = ParseAll({"retry: 3000\n\nevent: prog", "ress\ndata: {\"a\":1}\r", "\n\r\n",
                          ": keepalive\n\n", "data: one\ndata: two\n\n"});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0], (std::pair<std::string, std::string>{"progress", "{\"a\":1}"}));
  EXPECT_EQ(events[1], (std::pair<std::string, std::string>{"message", "one\ntwo"}));
}

TEST(SseParserTest, StopsWhenTheCallbackSaysSo) {
  int calls = 0;
  client::SseParser parser([&](const std::string&, const std::string&) { return ++calls < 1; });
  EXPECT_FALSE(parser.Feed("data: a\n\ndata: b\n\n"));
  EXPECT_EQ(calls, 1);
}

TEST(ResponseStatusTest, MapsTheErrorBodyAndFallsBackToTheHttpStatus) {
  app::ApiResponse refused{
      412,
      "application/json",
      R"({"error": {"code": "failed_precondition", "message": "317 of 2393"}})",
      {}};
  Status s = client::ResponseStatus(refused);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "317 of 2393");
  app::ApiResponse proxy{502, "text/html", "<html>bad gateway\nmore</html>", {}};
  s = client::ResponseStatus(proxy);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_EQ(s.message(), "HTTP 502: <html>bad gateway");
  EXPECT_EQ(client::ResponseStatus(app::ApiResponse{404, "", "", {}}).code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(client::ResponseStatus(app::ApiResponse{200, "", "{}", {}}).ok());
}

TEST(UrlEncodeTest, EncodesAllButUnreservedCharacters) {
  EXPECT_EQ(client::UrlEncode("web-2026_11.a~b"), "web-2026_11.a~b");
  EXPECT_EQ(client::UrlEncode("a b/c?d"), "a%20b%2Fc%3Fd");
  EXPECT_EQ(client::PathWith("/v1/rollouts/", "x/y", "/finalize"), "/v1/rollouts/x%2Fy/finalize");
}

TEST(FormatTest, DurationsBarsAndProgressLines) {
  EXPECT_EQ(ctl::FormatDuration(28 * 3600), "1d 4h");
  EXPECT_EQ(ctl::FormatDuration(3 * 3600 + 12 * 60), "3h 12m");
  EXPECT_EQ(ctl::FormatDuration(40), "40s");
  EXPECT_EQ(ctl::Bar(1, 2, 10), "[#####-----]");
  EXPECT_EQ(ctl::Bar(0, 0, 4), "[----]");
  EXPECT_EQ(ctl::Percent(2076, 2393), "86.8%");
  json p = {{"rollout_id", "web"}, {"state", "distributing"}, {"total", 2393}, {"received", 2076},
            {"stale", 40},         {"eta_seconds", 28 * 3600}};
  EXPECT_EQ(ctl::ProgressLine(p, 10),
            "web  [########--]  2076 of 2393 received (86.8%)  stale 40  ETA 1d 4h  distributing");
  EXPECT_FALSE(ctl::IsReady(p));
  p["state"] = "finalized, gateway refresh pending";
  EXPECT_TRUE(ctl::IsEnded(p));
}

TEST(FleetTest, SameSeedSameReportsAndTheServerViewKeepsTheNewest) {
  sim::FleetOptions options;
  options.holders = 50;
  options.others = 5;
  options.duplicate_share = 0.2;
  options.out_of_order_share = 0.2;
  const Time start = *ParseTime("2026-11-01T00:00:00Z");
  sim::Fleet a(options, start, "t"), b(options, start, "t");
  a.AddToInventory("old", true);
  b.AddToInventory("old", true);
  std::vector<sim::Delivery> da = a.Advance(start + std::chrono::hours(72), nullptr);
  std::vector<sim::Delivery> db = b.Advance(start + std::chrono::hours(72), nullptr);
  ASSERT_EQ(da.size(), db.size());
  size_t duplicates = 0;
  for (size_t i = 0; i < da.size(); ++i) {
    EXPECT_EQ(da[i].report_id, db[i].report_id);
    EXPECT_EQ(da[i].deliver_at, db[i].deliver_at);
    duplicates += da[i].duplicate;
    if (i > 0) {
      EXPECT_LE(da[i - 1].deliver_at, da[i].deliver_at);
    }
  }
  EXPECT_GT(duplicates, 0u);
  for (const sim::Delivery& d : da) a.Delivered(d);
  for (const sim::SimAgent& agent : a.agents()) {
    if (agent.reports == 0) continue;
    EXPECT_EQ(sim::Fleet::Holds(agent.delivered, "old"), agent.holder) << agent.id;
  }
  EXPECT_TRUE(a.agents()[a.lost_laptop()].lost);
}

}  // namespace
}  // namespace rotor
