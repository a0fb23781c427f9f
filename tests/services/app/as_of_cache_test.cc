// AsOfCache (services/app/as_of_cache.h): the read models of the latest
// moment asked are reused while they cannot have changed (a fold that
// stopped before the head), recomputed when an append could change them (a
// fold that reached the head), and always equal a fresh ComputeAsOf; and
// RequestedAsOf admits only the roles of GET /v1/replay.
#include "services/app/as_of_cache.h"

#include <gtest/gtest.h>

#include "events/memory_event_log.h"
#include "projections/memory_store.h"
#include "tests/projections/history_gen.h"

namespace rotor::app {
namespace {

using projections::FoldLimit;
using projections::ReadModels;

std::string Dump(const ReadModels& m) { return m.fleet.Dump() + m.audit.Dump(); }

class AsOfCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    history_ = projections::testing::RandomHistory(3, {.events = 120});
    projections::testing::AppendAll(log_, {history_.begin(), history_.begin() + 100});
  }
  std::shared_ptr<const ReadModels> Get(const FoldLimit& limit) {
    Result<std::shared_ptr<const ReadModels>> got = cache_.Get(log_, store_, limit);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok()) return nullptr;
    Result<std::unique_ptr<ReadModels>> fresh = projections::ComputeAsOf(log_, limit);
    EXPECT_TRUE(fresh.ok());
    if (fresh.ok()) {
      EXPECT_EQ(Dump(**got), Dump(**fresh)) << "the kept models are exact";
    }
    return *got;
  }

  std::vector<projections::testing::TimedEvent> history_;
  MemoryEventLog log_;
  projections::MemoryProjectionStore store_;
  AsOfCache cache_;
};

TEST_F(AsOfCacheTest, AMomentBeforeTheHeadIsKeptAcrossAppends) {
  std::shared_ptr<const ReadModels> first = Get(FoldLimit::AtSequence(60));
  EXPECT_EQ(Get(FoldLimit::AtSequence(60)), first) << "asked again: no fold";
  projections::testing::AppendAll(log_, {history_.begin() + 100, history_.end()});
  EXPECT_EQ(Get(FoldLimit::AtSequence(60)), first) << "appends come after it";
  EXPECT_NE(Get(FoldLimit::AtSequence(61)), first) << "another moment";
}

TEST_F(AsOfCacheTest, AMomentAtTheHeadIsFoldedAgainOnceTheLogGrew) {
  std::shared_ptr<const ReadModels> head = Get(FoldLimit::AtSequence(1000));
  EXPECT_EQ(head->folded.last.sequence, 100u);
  EXPECT_EQ(Get(FoldLimit::AtSequence(1000)), head) << "the head has not moved";
  projections::testing::AppendAll(log_, {history_.begin() + 100, history_.end()});
  std::shared_ptr<const ReadModels> later = Get(FoldLimit::AtSequence(1000));
  EXPECT_NE(later, head);
  EXPECT_EQ(later->folded.last.sequence, 120u);
}

TEST(RequestedAsOfTest, OnlyAdminAndAuditorMayTravelAndTheValueIsChecked) {
  ApiRequest request;
  request.principal = Principal{"oscar", Role::kOperator, ""};
  Result<std::optional<FoldLimit>> none = RequestedAsOf(request);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value()) << "no as_of: the present";
  request.query.emplace("as_of", "12");
  EXPECT_EQ(RequestedAsOf(request).status().code(), StatusCode::kPermissionDenied);
  request.principal.role = Role::kAuditor;
  Result<std::optional<FoldLimit>> twelve = RequestedAsOf(request);
  ASSERT_TRUE(twelve.ok());
  EXPECT_EQ((*twelve)->sequence, 12u);
  request.principal.role = Role::kAdmin;
  request.query["as_of"] = "2026-11-01T00:00:00Z";
  Result<std::optional<FoldLimit>> time = RequestedAsOf(request);
  ASSERT_TRUE(time.ok());
  EXPECT_TRUE((*time)->time.has_value());
  request.query["as_of"] = "last tuesday";
  Status bad = RequestedAsOf(request).status();
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("'as_of'"), std::string::npos) << bad.message();
}

}  // namespace
}  // namespace rotor::app
