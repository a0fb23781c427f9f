// GET /v1/stream at dashboard scale, through the real HTTP server on an
// ephemeral loopback port: many subscribers all receive an update, open
// streams hold no thread, the latest value arrives after a burst, a client
// that goes away frees its slot (at once, not at the next keepalive), one
// over the maximum is refused with 503, queries answer while more streams
// are open than there are request threads, and shutdown ends every stream.
#include <gtest/gtest.h>
#include <httplib.h>

#include <csignal>
#include <fstream>
#include <thread>

#include "services/client/sse_subscribers.h"
#include "services/http/http_server.h"
#include "tests/services/app/engine_test_util.h"

namespace rotor::app::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr char kToken[] = "t-audrey";
constexpr milliseconds kBound{60000};  // a bound that only a broken server reaches

// Threads of this process (/proc/self/status).
int ProcessThreads() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

class StreamHttpTest : public EngineFixture {
 protected:
  void SetUp() override {
    signal(SIGPIPE, SIG_IGN);  // the server writes to clients that went away
    EngineFixture::SetUp();
    old_ = RegisterServerCert("ns-2025.example.com");
    new_ = RegisterServerCert("ns-2026.example.com");
    ASSERT_EQ(Report("rep-a1", "a1", "2026-02-27T00:00:00Z", {old_}).status, 200);
    Reply r =
        CallJson("POST", "/v1/replacements",
                 json{{"rollout_id", "r1"}, {"old_fingerprint", old_}, {"new_fingerprint", new_}},
                 Operator());
    ASSERT_EQ(r.status, 200) << r.body;
  }

  void TearDown() override {
    subs_.reset();
    if (engine_ != nullptr) engine_->BeginShutdown();  // ends the streams
    server_.reset();
    EngineFixture::TearDown();
  }

  void Serve(int threads, int max_streams, milliseconds heartbeat = milliseconds(5000)) {
    http::HttpServerOptions o;
    Result<std::string> line =
        http::TokenStore::MakeLine(kToken, "audrey", app::Role::kAuditor, "");
    ASSERT_TRUE(line.ok()) << line.status().ToString();
    auto tokens = http::TokenStore::Parse(*line, "test");
    ASSERT_TRUE(tokens.ok()) << tokens.status().ToString();
    o.tokens = std::move(*tokens);
    o.threads = threads;
    o.max_streams = max_streams;
    o.stream_heartbeat = heartbeat;
    auto server = http::HttpServer::Create(*engine_, std::move(o));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    server_->Start();
  }

  // Opens `n` subscribers; each event's "received" goes to received_[i].
  void Subscribe(size_t n) {
    received_.assign(n, -1);
    events_.assign(n, 0);
    auto subs = client::SseSubscribers::Open(
        "127.0.0.1", server_->port(), kToken, n,
        [this](size_t i, const std::string& event, const std::string& data) {
          if (event != "progress") return;
          json progress = json::parse(data, nullptr, false);
          if (!progress.is_object() || progress.value("rollout_id", "") != "r1") return;
          int received = progress.value("received", -1);
          EXPECT_GE(received, received_[i]) << "an older value after a newer one";
          received_[i] = received;
          ++events_[i];
        });
    ASSERT_TRUE(subs.ok()) << subs.status().ToString();
    subs_ = std::move(*subs);
  }

  // Polls the subscribers until `done` holds or the bound passes.
  bool PollUntil(const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + kBound;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      subs_->Poll(milliseconds(20));
    }
    return true;
  }

  bool AllReceived(int value) const {
    return std::all_of(received_.begin(), received_.end(), [&](int r) { return r == value; });
  }

  // Agent `agent` reports both certificates: one more agent received.
  void Receive(const std::string& agent) {
    ASSERT_EQ(Report("rep-received-" + agent, agent, "2026-02-28T00:00:00Z", {old_, new_}).status,
              200);
  }

  std::string old_;
  std::string new_;
  std::unique_ptr<http::HttpServer> server_;
  std::unique_ptr<client::SseSubscribers> subs_;
  std::vector<int> received_;
  std::vector<int> events_;
};

TEST_F(StreamHttpTest, TwoHundredSubscribersAllReceiveAnUpdate) {
  Serve(8, 300);
  Subscribe(200);
  ASSERT_TRUE(PollUntil([&] { return AllReceived(0); })) << subs_->streaming() << " streaming";
  EXPECT_EQ(server_->streams(), 200);
  EXPECT_NE(Call("GET", "/metrics").body.find("rotor_stream_subscribers 200"), std::string::npos);
  Receive("a1");
  ASSERT_TRUE(PollUntil([&] { return AllReceived(1); }));
}

TEST_F(StreamHttpTest, OpenStreamsHoldNoThread) {
  Serve(8, 300);
  const int before = ProcessThreads();
  Subscribe(200);
  ASSERT_TRUE(PollUntil([&] { return AllReceived(0); })) << subs_->streaming() << " streaming";
  ASSERT_EQ(server_->streams(), 200);
  // Thread-per-stream would add 200; the hub's thread and a few spares are fine.
  EXPECT_LT(ProcessThreads() - before, 20) << before << " threads before";
  Receive("a1");
  ASSERT_TRUE(PollUntil([&] { return AllReceived(1); }));
}

TEST_F(StreamHttpTest, QueriesAnswerWhileStreamsOutnumberTheRequestThreads) {
  Serve(4, 100);
  Subscribe(40);
  ASSERT_TRUE(PollUntil([&] { return AllReceived(0); })) << subs_->streaming() << " streaming";
  httplib::Client client("127.0.0.1", server_->port());
  client.set_read_timeout(std::chrono::seconds(30));
  for (int i = 0; i < 10; ++i) {  // more requests than request threads
    auto r = client.Get("/v1/rollouts/r1", {{"Authorization", std::string("Bearer ") + kToken}});
    ASSERT_TRUE(r) << "no answer while 40 streams are open on 4 request threads";
    EXPECT_EQ(r->status, 200) << r->body;
  }
}

TEST_F(StreamHttpTest, ABurstOfReportsIsCoalescedAndEndsOnTheLatestValue) {
  Serve(4, 10);
  Subscribe(1);
  ASSERT_TRUE(PollUntil([&] { return AllReceived(0); }));
  auto start = std::chrono::steady_clock::now();
  Receive("a1");
  for (int i = 0; i < 40; ++i) Receive("b" + std::to_string(i));
  ASSERT_TRUE(PollUntil([&] { return AllReceived(41); })) << "last seen " << received_[0];
  auto elapsed = std::chrono::steady_clock::now() - start;
  // The engine's default interval is 200 ms: the first value, then at most
  // one update per interval, however many reports arrived.
  int bound = 2 + static_cast<int>(elapsed / milliseconds(200));
  EXPECT_LE(events_[0], 1 + bound) << "41 reports in " << elapsed / milliseconds(1) << " ms";
}

TEST_F(StreamHttpTest, OneOverTheMaximumIsRefusedWith503) {
  Serve(4, 2);
  Subscribe(3);
  // The server takes them in any order: two stream, the third is refused.
  size_t refused = 3;
  ASSERT_TRUE(PollUntil([&] {
    for (size_t i = 0; i < 3; ++i) {
      if (subs_->status(i) != 200 && json::accept(subs_->body(i))) refused = i;
    }
    return subs_->streaming() == 2 && refused < 3;
  })) << subs_->streaming()
      << " streaming";
  EXPECT_EQ(subs_->status(refused), 503);
  json error = json::parse(subs_->body(refused));
  EXPECT_EQ(error["error"]["code"], "resource_exhausted");
  EXPECT_NE(error["error"]["message"].get<std::string>().find("2 live streams open, its maximum"),
            std::string::npos)
      << error.dump();
}

TEST_F(StreamHttpTest, AClientThatGoesAwayFreesItsSlot) {
  Serve(4, 1, milliseconds(20));
  Subscribe(1);
  ASSERT_TRUE(PollUntil([&] { return AllReceived(0); }));
  EXPECT_EQ(server_->streams(), 1);
  subs_->Close(0);
  // The keepalive writes notice the closed connection and release the slot.
  auto deadline = std::chrono::steady_clock::now() + kBound;
  while (server_->streams() != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(10));  // polling, not timing
  }
  ASSERT_EQ(server_->streams(), 0);
  Subscribe(1);
  ASSERT_TRUE(PollUntil([&] { return AllReceived(0); }));
  EXPECT_EQ(subs_->status(0), 200);
}

TEST_F(StreamHttpTest, AClientThatGoesAwayFreesItsSlotBeforeAnyKeepalive) {
  Serve(4, 1, std::chrono::hours(1));
  Subscribe(1);
  ASSERT_TRUE(PollUntil([&] { return AllReceived(0); }));
  subs_->Close(0);
  // No keepalive is due for an hour: the server notices the closed socket.
  auto deadline = std::chrono::steady_clock::now() + kBound;
  while (server_->streams() != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(10));  // polling, not timing
  }
  ASSERT_EQ(server_->streams(), 0);
}

TEST_F(StreamHttpTest, ShutdownEndsEveryStreamWithTheClosingChunk) {
  Serve(4, 100);
  Subscribe(50);
  ASSERT_TRUE(PollUntil([&] { return AllReceived(0); }));
  engine_->BeginShutdown();
  ASSERT_TRUE(PollUntil([&] { return subs_->streaming() == 0; }))
      << subs_->streaming() << " still streaming";
  for (size_t i = 0; i < subs_->size(); ++i) EXPECT_TRUE(subs_->ended(i)) << "subscriber " << i;
  // A writer releases a stream's slot after its closing chunk is sent, so a
  // client can see the end a moment before the count drops.
  EXPECT_TRUE(PollUntil([&] { return server_->streams() == 0; }))
      << server_->streams() << " streams still counted";
}

}  // namespace
}  // namespace rotor::app::testing
