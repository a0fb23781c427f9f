// StreamHub: what a subscriber receives first, coalescing to the latest
// value, one computation per interval however many notifications, a fresh
// computation after a quiet spell, Stop ending every subscription, and the
// wake callback of subscribers that Poll instead of waiting.
#include "services/app/stream_hub.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <vector>

#include "base/mutex.h"

namespace rotor::app {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kLong{60000};  // a bound that only a broken hub reaches

// A hub over two rollouts: "a" shows `value`, "b" never changes.
class StreamHubTest : public ::testing::Test {
 protected:
  std::unique_ptr<StreamHub> MakeHub(milliseconds interval) {
    return std::make_unique<StreamHub>(
        [this] {
          std::string v = std::to_string(value.load());
          return std::vector<StreamHub::Progress>{{"a", v, "a=" + v}, {"b", "1", "b=1"}};
        },
        interval);
  }

  // Texts from `sub` until one equals `want` (or the bound passes).
  static std::vector<std::string> ReadUntil(StreamHub::Subscription& sub, const std::string& want) {
    std::vector<std::string> seen;
    auto deadline = std::chrono::steady_clock::now() + kLong;
    while (std::chrono::steady_clock::now() < deadline) {
      auto next = sub.Next(milliseconds(1000));
      if (!next.ok()) break;
      for (const auto& text : *next) seen.push_back(*text);
      if (!seen.empty() && seen.back() == want) break;
    }
    return seen;
  }

  std::atomic<int> value{0};
};

TEST_F(StreamHubTest, ANewSubscriberFirstReceivesEveryRollout) {
  auto hub = MakeHub(milliseconds(10));
  auto sub = hub->Subscribe();
  auto first = sub->Next(kLong);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ(*(*first)[0], "a=0");
  EXPECT_EQ(*(*first)[1], "b=1");
  EXPECT_EQ(hub->subscribers(), 1u);
}

TEST_F(StreamHubTest, ASlowSubscriberSkipsStraightToTheLatestValue) {
  auto hub = MakeHub(milliseconds(1));
  auto slow = hub->Subscribe();
  auto fast = hub->Subscribe();
  ASSERT_EQ(slow->Next(kLong)->size(), 2u);
  ASSERT_EQ(fast->Next(kLong)->size(), 2u);
  for (int v = 1; v <= 100; ++v) {
    value = v;
    hub->Notify();
  }
  ASSERT_EQ(ReadUntil(*fast, "a=100").back(), "a=100");
  // The slow one gets only the latest value of the rollout that changed.
  auto next = slow->Next(milliseconds(0));
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->size(), 1u);
  EXPECT_EQ(*(*next)[0], "a=100");
}

TEST_F(StreamHubTest, ComputesAtMostOncePerIntervalAndAlwaysTheLast) {
  const milliseconds interval(200);
  auto hub = MakeHub(interval);
  auto sub = hub->Subscribe();
  ASSERT_EQ(sub->Next(kLong)->size(), 2u);
  auto start = std::chrono::steady_clock::now();
  for (int v = 1; v <= 2000; ++v) {
    value = v;
    hub->Notify();
  }
  std::vector<std::string> seen = ReadUntil(*sub, "a=2000");
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), "a=2000");
  // One computation for the first value, then at most one per interval.
  uint64_t bound = 2 + static_cast<uint64_t>(elapsed / interval);
  EXPECT_LE(hub->computations(), bound);
  EXPECT_LE(seen.size(), bound);
}

TEST_F(StreamHubTest, AfterAQuietSpellANewSubscriberGetsFreshValuesOnly) {
  auto hub = MakeHub(milliseconds(1));
  {
    auto first = hub->Subscribe();
    ASSERT_EQ(*(*first->Next(kLong))[0], "a=0");
  }
  value = 7;
  hub->Notify();  // no subscriber: nothing is computed
  auto later = hub->Subscribe();
  auto next = later->Next(kLong);
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->size(), 2u);
  EXPECT_EQ(*(*next)[0], "a=7");
}

TEST_F(StreamHubTest, StopEndsEverySubscription) {
  auto hub = MakeHub(milliseconds(1));
  auto sub = hub->Subscribe();
  ASSERT_TRUE(sub->Next(kLong).ok());
  hub->Stop();
  auto next = sub->Next(kLong);
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), StatusCode::kCancelled);
  EXPECT_FALSE(hub->Subscribe()->Next(kLong).ok());
}

TEST_F(StreamHubTest, PollingSubscribersAreWokenForEachUpdateAndAtStop) {
  auto hub = MakeHub(milliseconds(1));
  Mutex mu;
  CondVar cv;
  int wakes = 0;
  auto wake = [&] {
    MutexLock lock(&mu);
    ++wakes;
    cv.SignalAll();
  };
  auto wait_for_wakes = [&](int n) {
    MutexLock lock(&mu);
    auto deadline = std::chrono::steady_clock::now() + kLong;
    while (wakes < n) {
      if (!cv.WaitUntil(&mu, deadline)) break;
    }
    return wakes >= n;
  };
  std::vector<std::unique_ptr<StreamHub::Subscription>> subs;
  for (int i = 0; i < 100; ++i) subs.push_back(hub->Subscribe(wake));
  ASSERT_TRUE(wait_for_wakes(100));  // the first computation wakes each one
  for (auto& sub : subs) {
    auto first = sub->Poll();
    ASSERT_TRUE(first.ok());
    ASSERT_EQ(first->size(), 2u);
    EXPECT_EQ(*(*first)[0], "a=0");
    ASSERT_TRUE(sub->Poll().ok());
    EXPECT_TRUE(sub->Poll()->empty()) << "Poll returns nothing new without waiting";
  }
  value = 5;
  hub->Notify();
  ASSERT_TRUE(wait_for_wakes(200));
  for (auto& sub : subs) {
    auto next = sub->Poll();
    ASSERT_TRUE(next.ok());
    ASSERT_EQ(next->size(), 1u) << "only the rollout that changed";
    EXPECT_EQ(*(*next)[0], "a=5");
  }
  subs.resize(50);  // the others unsubscribe and are not woken again
  hub->Stop();
  ASSERT_TRUE(wait_for_wakes(250));
  {
    MutexLock lock(&mu);
    EXPECT_EQ(wakes, 250);
  }
  auto ended = subs[0]->Poll();
  ASSERT_FALSE(ended.ok());
  EXPECT_EQ(ended.status().code(), StatusCode::kCancelled);
}

}  // namespace
}  // namespace rotor::app
