// End to end through the HTTP API directly (cpp-httplib, no rotorctl): the
// article's replacement against a real rotord on an ephemeral port, the
// roles, the refused finalize's numbers and the Server-Sent Events stream;
// and rotorctl reading the same state gives the same JSON.
#include <httplib.h>

#include "tests/e2e/e2e_article.h"

namespace rotor::testing {
namespace {

class HttpApiTest : public ArticleTest {
 protected:
  httplib::Result Send(const std::string& method, const std::string& path, const std::string& token,
                       const json& body = nullptr) {
    httplib::Client client(daemon_->url());
    client.set_read_timeout(std::chrono::seconds(300));
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    std::string text = body.is_null() ? "" : body.dump();
    if (method == "GET") return client.Get(path, headers);
    if (method == "PUT") return client.Put(path, headers, text, "application/json");
    return client.Post(path, headers, text, "application/json");
  }

  // The reply's JSON after checking its status.
  json Expect(const httplib::Result& r, int status) {
    EXPECT_TRUE(r) << "no response";
    if (!r) return nullptr;
    EXPECT_EQ(r->status, status) << r->body;
    return json::parse(r->body, nullptr, false);
  }

  // Lines of newline-delimited reports as {"reports": [...]}.
  static json Batch(const std::string& lines) {
    json batch = {{"reports", json::array()}};
    size_t start = 0;
    while (start < lines.size()) {
      size_t end = lines.find('\n', start);
      batch["reports"].push_back(json::parse(lines.substr(start, end - start)));
      start = end + 1;
    }
    return batch;
  }
};

TEST_F(HttpApiTest, ArticleReplacementThroughTheApi) {
  StartDaemon();
  auto health = httplib::Client(daemon_->url()).Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);

  json error = Expect(Send("GET", "/v1/rollouts", ""), 401);
  EXPECT_EQ(error["error"]["code"], "unauthenticated");
  Expect(Send("POST", "/v1/clock", kOperatorToken, {{"now", "2026-11-01T00:00:00Z"}}), 403);
  Expect(Send("POST", "/v1/clock", kAdminToken, {{"now", "2026-11-01T00:00:00Z"}}), 200);

  json registered = Expect(Send("POST", "/v1/certificates", kOperatorToken,
                                {{"kind", "server-web"}, {"pem", ReadFile(old_cert_.path)}}),
                           200);
  EXPECT_EQ(registered["event_count"], 1);
  Expect(Send("POST", "/v1/certificates", kOperatorToken,
              {{"kind", "server-web"}, {"pem", ReadFile(new_cert_.path)}}),
         200);
  json ingested =
      Expect(Send("POST", "/v1/reports:batch", kIngestToken, Batch(InventoryReports())), 200);
  EXPECT_EQ(ingested["ingested"], kHolders + kOthers);
  EXPECT_EQ(ingested["duplicates"], 0);

  Expect(Send("POST", "/v1/clock", kAdminToken, {{"now", "2026-11-01T01:00:00Z"}}), 200);
  json initiated = Expect(Send("POST", "/v1/replacements", kOperatorToken,
                               {{"rollout_id", kRollout},
                                {"old_fingerprint", old_cert_.fingerprint},
                                {"new_fingerprint", new_cert_.fingerprint},
                                {"mode", "direct"}}),
                          200);
  EXPECT_EQ(initiated["rollout_id"], kRollout);
  Expect(Send("POST", "/v1/clock", kAdminToken, {{"now", "2026-11-02T00:00:00Z"}}), 200);
  ingested = Expect(Send("POST", "/v1/reports:batch", kIngestToken,
                         Batch(ReceivedReports(0, kReceivedFirst, "got-", "2026-11-01T12:00:00Z"))),
                    200);
  EXPECT_EQ(ingested["ingested"], kReceivedFirst);

  json progress = Expect(Send("GET", "/v1/rollouts/web-2026-11", kAuditorToken), 200);
  EXPECT_EQ(progress["summary"], "2076 of 2393 agents received the new certificate");
  EXPECT_EQ(progress["outstanding"], 317);

  json refused = Expect(
      Send("POST", "/v1/rollouts/web-2026-11/finalize", kOperatorToken, json::object()), 412);
  EXPECT_EQ(refused["error"]["code"], "failed_precondition");
  EXPECT_NE(refused["error"]["message"].get<std::string>().find(
                "317 of 2393 agents have not received the new certificate"),
            std::string::npos);
  Expect(Send("POST", "/v1/rollouts/web-2026-11/finalize", kAuditorToken, json::object()), 403);

  // rotorctl reads the same state.
  EXPECT_EQ(CtlJson({"status", kRollout}), progress);

  // The stream: the first event is this rollout's progress.
  httplib::Client client(daemon_->url());
  client.set_read_timeout(std::chrono::seconds(60));
  std::string received;
  auto stream =
      client.Get("/v1/stream", {{"Authorization", std::string("Bearer ") + kAuditorToken}},
                 [&](const char* data, size_t n) {
                   received.append(data, n);
                   return received.find("\n\n", received.find("data:")) == std::string::npos;
                 });
  EXPECT_NE(received.find("event: progress"), std::string::npos) << received;
  EXPECT_NE(received.find("2076 of 2393 agents received the new certificate"), std::string::npos)
      << received;
}

}  // namespace
}  // namespace rotor::testing
