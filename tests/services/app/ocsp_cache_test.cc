// OcspResponseCache on its own: an answer is served again only at the ledger
// version it was signed at and while it is young enough; a newer version
// empties the cache; its size stays bounded.
#include "services/app/ocsp_cache.h"

#include <gtest/gtest.h>

#include "tests/services/ca/ca_test_util.h"

namespace rotor::app {
namespace {

using ca::testing::At;

class OcspResponseCacheTest : public ::testing::Test {
 protected:
  OcspResponseCache cache_{std::chrono::minutes(30), 3};
  const Time t0_ = At("2026-03-10T00:00:00Z");
};

TEST_F(OcspResponseCacheTest, ServesTheSameAnswerWhileTheLedgerStaysAtItsVersion) {
  cache_.Put("req-a", 5, t0_, "answer-a");
  auto hit = cache_.Find("req-a", 5, t0_ + std::chrono::minutes(29));
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->response, "answer-a");
  EXPECT_EQ(hit->produced, t0_);
  EXPECT_FALSE(cache_.Find("req-b", 5, t0_).has_value()) << "another request";
}

TEST_F(OcspResponseCacheTest, ANewerLedgerVersionEmptiesTheCache) {
  cache_.Put("req-a", 5, t0_, "answer-a");
  cache_.Put("req-b", 5, t0_, "answer-b");
  EXPECT_FALSE(cache_.Find("req-a", 6, t0_).has_value());
  EXPECT_EQ(cache_.size(), 0u);
  // An answer signed at the older version, stored late, is not kept.
  cache_.Put("req-b", 5, t0_, "answer-b");
  EXPECT_EQ(cache_.size(), 0u);
  EXPECT_FALSE(cache_.Find("req-b", 5, t0_).has_value());
  cache_.Put("req-b", 6, t0_, "answer-b6");
  EXPECT_EQ(cache_.Find("req-b", 6, t0_)->response, "answer-b6");
}

TEST_F(OcspResponseCacheTest, AnAnswerOlderThanMaxAgeIsNotServed) {
  cache_.Put("req-a", 1, t0_, "answer-a");
  EXPECT_FALSE(cache_.Find("req-a", 1, t0_ + std::chrono::minutes(30)).has_value());
  EXPECT_FALSE(cache_.Find("req-a", 1, t0_ - std::chrono::seconds(1)).has_value())
      << "a clock that went back";
  cache_.Put("req-a", 1, t0_ + std::chrono::minutes(30), "answer-a2");
  EXPECT_EQ(cache_.Find("req-a", 1, t0_ + std::chrono::minutes(31))->response, "answer-a2");
  EXPECT_EQ(cache_.size(), 1u);
}

TEST_F(OcspResponseCacheTest, KeepsAtMostMaxEntriesAndNoLargeRequests) {
  for (const char* key : {"r1", "r2", "r3", "r4"}) cache_.Put(key, 1, t0_, std::string(key) + "!");
  EXPECT_EQ(cache_.size(), 3u);
  EXPECT_FALSE(cache_.Find("r1", 1, t0_).has_value()) << "the oldest was evicted";
  EXPECT_EQ(cache_.Find("r4", 1, t0_)->response, "r4!");
  cache_.Put(std::string(kMaxCachedOcspRequestBytes + 1, 'x'), 1, t0_, "big");
  EXPECT_FALSE(cache_.Find(std::string(kMaxCachedOcspRequestBytes + 1, 'x'), 1, t0_).has_value());
  EXPECT_EQ(cache_.size(), 3u);
}

}  // namespace
}  // namespace rotor::app
