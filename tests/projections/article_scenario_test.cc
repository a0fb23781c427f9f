// The certificate management article's scenario with its numbers, through the
// real RocksDB log, the runner and the RocksDB projection store:
//   2393 agents report the old certificate, 107 never do; 2076 receive the new
//   one ("2076 of 2393"); 40 outstanding agents go silent and are flagged
//   stale but still counted; 25 of them are deleted ("2076 of 2368"); one
//   stale agent reports again with the new certificate ("2077 of 2368").
#include <gtest/gtest.h>

#include <map>

#include "events/rocksdb_event_log.h"
#include "projections/fold.h"
#include "projections/rocksdb_store.h"
#include "projections/runner.h"
#include "tests/projections/test_util.h"

namespace rotor::projections {
namespace {

using testing::AgentId;
using testing::At;
using testing::Fp;
using testing::Report;
using testing::TimedEvent;

constexpr int kReportingOld = 2393;
constexpr int kNeverOld = 107;
constexpr int kReceived = 2076;
constexpr int kDay = 86400;

const std::string kOld = Fp("cem-root-2025");
const std::string kNew = Fp("cem-root-2026");
const std::string kOther = Fp("server-web");

std::string Gateway(int i) { return "gw-" + std::to_string(i % 3); }
std::string Site(int i) { return "site-" + std::to_string(i % 5); }

class ArticleScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<RocksDbEventLog>> log =
        RocksDbEventLog::Open(dir_.Sub("log"), {.sync = false});
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(*log);
    OpenRunner();
  }

  void OpenRunner() {
    runner_.reset();
    store_.reset();
    fleet_ = std::make_unique<FleetProjection>();
    Result<std::unique_ptr<RocksDbProjectionStore>> store =
        RocksDbProjectionStore::Open(dir_.Sub("projections"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    runner_ = std::make_unique<ProjectionRunner>(*log_, *store_, *fleet_,
                                                 RunnerOptions{.batch_size = 500});
    ASSERT_TRUE(runner_->Open().ok());
  }

  // Appends `events` and lets the runner catch up.
  void Play(const std::vector<TimedEvent>& events) {
    testing::AppendAll(*log_, events, 700);
    Status s = runner_->CatchUp();
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_TRUE(fleet_->VerifyCounters().ok());
  }

  RolloutProgress Progress() {
    return runner_->Read([&] { return *fleet_->ProgressWithBreakdown("rollout-1"); });
  }

  testing::TempDir dir_;
  std::unique_ptr<RocksDbEventLog> log_;
  std::unique_ptr<RocksDbProjectionStore> store_;
  std::unique_ptr<FleetProjection> fleet_;
  std::unique_ptr<ProjectionRunner> runner_;
};

TEST_F(ArticleScenarioTest, ProgressFollowsTheArticlesNumbers) {
  // Phase 1: inventories, then the replacement of the CEM root certificate
  // with a manual gateway refresh required after initiation.
  std::vector<TimedEvent> phase;
  for (int i = 0; i < kReportingOld + kNeverOld; ++i) {
    std::vector<std::string> certs = {kOther};
    if (i < kReportingOld) certs.push_back(kOld);
    phase.push_back({Report(AgentId(i), At(i), certs, Gateway(i), Site(i)), At(i), "agent"});
  }
  phase.push_back({ReplacementInitiated{"rollout-1", kOld, kNew, CertificateKind::kCemRoot,
                                        ReplacementMode::kDirect, 1000},
                   At(3000), "alice"});
  phase.push_back(
      {GatewayRefreshRequired{"gw-edge", "rollout-1", GatewayRefreshStep::kAfterInitiate}, At(3000),
       "rotor"});
  Play(phase);
  RolloutProgress p = Progress();
  EXPECT_EQ(p.summary, "0 of 2393 agents received the new certificate");
  EXPECT_EQ(p.status, RolloutStatus::kInitiated);
  EXPECT_EQ(p.not_counted, 107u);
  ASSERT_EQ(p.pending_gateway_steps.size(), 1u);
  EXPECT_EQ(p.pending_gateway_steps[0].gateway_id, "gw-edge");

  // Phase 2: the gateway is refreshed; 2076 agents receive the new certificate.
  phase.clear();
  phase.push_back({GatewayRefreshPerformed{"gw-edge", "rollout-1",
                                           GatewayRefreshStep::kAfterInitiate, At(3500), "carol"},
                   At(3500), "carol"});
  for (int i = 0; i < kReceived; ++i) {
    phase.push_back({Report(AgentId(i), At(4000 + i), {kOther, kOld, kNew}, Gateway(i), Site(i)),
                     At(4000 + i), "agent"});
  }
  Play(phase);
  uint64_t after_receipts = log_->Head();
  p = Progress();
  EXPECT_EQ(p.summary, "2076 of 2393 agents received the new certificate");
  EXPECT_EQ(p.status, RolloutStatus::kDistributing);
  EXPECT_EQ(p.total, 2393u);
  EXPECT_EQ(p.received, 2076u);
  EXPECT_EQ(p.outstanding, 317u);
  EXPECT_EQ(p.not_counted, 107u);
  EXPECT_EQ(p.stale, 0u);
  EXPECT_TRUE(p.pending_gateway_steps.empty());
  // All 2076 receipts fall in the hour before the last event (At(6075)):
  // 317 outstanding at 2076 per hour is ceil(317 * 3600 / 2076) = 550 s.
  EXPECT_EQ(p.received_last_hour, 2076u);
  EXPECT_EQ(p.eta_seconds, 550);

  // Phase 3: 40 outstanding agents go silent past the threshold.
  phase.clear();
  for (int i = kReceived; i < kReceived + 40; ++i) {
    phase.push_back({testing::Flag(AgentId(i), At(i), At(3 * kDay)), At(3 * kDay), "sweeper"});
  }
  Play(phase);
  p = Progress();
  EXPECT_EQ(p.summary, "2076 of 2393 agents received the new certificate");
  EXPECT_EQ(p.stale, 40u);
  EXPECT_EQ(p.stale_outstanding, 40u);
  EXPECT_EQ(p.received_last_hour, 0u);
  EXPECT_FALSE(p.eta_seconds.has_value());
  std::vector<StaleAgent> stale = runner_->Read([&] { return fleet_->StaleAgents(); });
  ASSERT_EQ(stale.size(), 40u);
  EXPECT_EQ(stale.front().agent_id, AgentId(2076));
  EXPECT_EQ(stale.front().last_report_at, At(2076));
  EXPECT_EQ(stale.front().flagged_at, At(3 * kDay));
  EXPECT_EQ(stale.front().holds_up, std::vector<std::string>{"rollout-1"});
  EXPECT_EQ(stale.back().agent_id, AgentId(2115));

  // Phase 4: 25 of the stale agents are deleted as resources.
  phase.clear();
  for (int i = kReceived; i < kReceived + 25; ++i) {
    phase.push_back({AgentResourceDeleted{AgentId(i), "retired"}, At(4 * kDay), "admin"});
  }
  Play(phase);
  p = Progress();
  EXPECT_EQ(p.summary, "2076 of 2368 agents received the new certificate");
  EXPECT_EQ(p.outstanding, 292u);
  EXPECT_EQ(p.stale, 15u);
  stale = runner_->Read([&] { return fleet_->StaleAgents(); });
  ASSERT_EQ(stale.size(), 15u);
  EXPECT_EQ(stale.front().agent_id, AgentId(2101));

  // Phase 5: one stale agent reports again, now holding the new certificate.
  int back = kReceived + 25;
  Play({{Report(AgentId(back), At(5 * kDay), {kOther, kOld, kNew}, Gateway(back), Site(back)),
         At(5 * kDay), "agent"}});
  p = Progress();
  EXPECT_EQ(p.summary, "2077 of 2368 agents received the new certificate");
  EXPECT_EQ(p.outstanding, 291u);
  EXPECT_EQ(p.stale, 14u);
  EXPECT_EQ(p.stale_outstanding, 14u);
  EXPECT_EQ(p.received_last_hour, 1u);
  EXPECT_EQ(p.eta_seconds, 291 * 3600);
  std::optional<AgentView> agent = runner_->Read([&] { return fleet_->Agent(AgentId(back)); });
  ASSERT_TRUE(agent.has_value());
  EXPECT_FALSE(agent->stale);
  stale = runner_->Read([&] { return fleet_->StaleAgents(); });
  ASSERT_EQ(stale.size(), 14u);
  EXPECT_EQ(stale.front().agent_id, AgentId(2102));

  // The breakdowns add up to the same numbers, gateway by gateway and site by site.
  std::map<std::string, BreakdownRow> gateways, sites;
  for (int i = 0; i < kReportingOld; ++i) {
    if (i >= kReceived && i < kReceived + 25) continue;  // deleted
    bool received = i < kReceived || i == back;
    bool is_stale = i > back && i < kReceived + 40;
    for (auto [rows, key] : {std::pair{&gateways, Gateway(i)}, std::pair{&sites, Site(i)}}) {
      BreakdownRow& row = (*rows)[key];
      row.key = key;
      row.total++;
      row.received += received;
      row.outstanding += !received;
      row.stale += is_stale;
    }
  }
  ASSERT_EQ(p.by_gateway.size(), 3u);
  ASSERT_EQ(p.by_site.size(), 5u);
  for (const BreakdownRow& row : p.by_gateway) EXPECT_EQ(row, gateways[row.key]) << row.key;
  for (const BreakdownRow& row : p.by_site) EXPECT_EQ(row, sites[row.key]) << row.key;
  EXPECT_EQ(p.by_gateway[0].key, "gw-0");
  EXPECT_EQ(p.by_gateway[0].total, 789u);  // 798 with i % 3 == 0 below 2393, 9 deleted

  // As of the end of phase 2 (by sequence, and by time just before the
  // sweeper ran), the dashboard showed "2076 of 2393" with nothing stale.
  for (FoldLimit limit :
       {FoldLimit::AtSequence(after_receipts), FoldLimit::AtTime(At(3 * kDay - 1))}) {
    Result<std::unique_ptr<ReadModels>> then = ComputeAsOf(*log_, limit);
    ASSERT_TRUE(then.ok()) << then.status().ToString();
    RolloutProgress old = *(*then)->fleet.Progress("rollout-1");
    EXPECT_EQ(old.summary, "2076 of 2393 agents received the new certificate");
    EXPECT_EQ(old.stale, 0u);
    EXPECT_EQ((*then)->folded.last.sequence, after_receipts);
  }
  // ... and the live projection was not disturbed.
  EXPECT_EQ(Progress().summary, "2077 of 2368 agents received the new certificate");

  // A restart loads the same state from the projection store.
  std::string before = fleet_->Dump();
  OpenRunner();
  EXPECT_EQ(fleet_->Dump(), before);
  EXPECT_EQ(Progress().summary, "2077 of 2368 agents received the new certificate");
}

TEST_F(ArticleScenarioTest, FinalizingWithGatewayRefreshPendingThenDone) {
  std::vector<TimedEvent> events;
  for (int i = 0; i < 10; ++i) {
    events.push_back({Report(AgentId(i), At(i), {kOld}), At(i), "agent"});
  }
  events.push_back({ReplacementInitiated{"rollout-1", kOld, kNew, CertificateKind::kCemRoot,
                                         ReplacementMode::kDirect, 1000},
                    At(100), "alice"});
  for (int i = 0; i < 10; ++i) {
    events.push_back({Report(AgentId(i), At(200 + i), {kOld, kNew}), At(200 + i), "agent"});
  }
  Play(events);
  EXPECT_EQ(Progress().status, RolloutStatus::kReadyToFinalize);
  Play({{ReplacementFinalized{"rollout-1", 10, 10, false, "", {}, 0}, At(300), "bob"},
        {GatewayRefreshRequired{"gw-edge", "rollout-1", GatewayRefreshStep::kAfterFinalize},
         At(300), "rotor"}});
  RolloutProgress p = Progress();
  EXPECT_EQ(p.status, RolloutStatus::kFinalizedRefreshPending);
  EXPECT_EQ(RolloutStatusName(p.status), "finalized, gateway refresh pending");
  EXPECT_EQ(p.ended_at, At(300));
  // After finalization agents drop the old certificate: the numbers stay frozen.
  Play({{Report(AgentId(0), At(400), {kNew}), At(400), "agent"},
        {GatewayRefreshPerformed{"gw-edge", "rollout-1", GatewayRefreshStep::kAfterFinalize,
                                 At(500), "carol"},
         At(500), "carol"}});
  p = Progress();
  EXPECT_EQ(p.status, RolloutStatus::kFinalized);
  EXPECT_EQ(p.summary, "10 of 10 agents received the new certificate");
  EXPECT_FALSE(p.eta_seconds.has_value());
}

}  // namespace
}  // namespace rotor::projections
