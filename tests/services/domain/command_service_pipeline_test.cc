// CommandService::ExecuteBatch from several threads over the real RocksDB
// log: a batch is decided while another batch's events are being written
// (the service lets go of its lock for the write), reports of one agent in
// two concurrent batches are each appended once and in order, and the state
// the service folds as it goes is the state a replay of the log gives.
#include <gmock/gmock.h>

#include <atomic>
#include <optional>
#include <set>
#include <thread>

#include "events/codec.h"
#include "events/rocksdb_event_log.h"
#include "services/domain/command_service.h"
#include "services/domain/state_codec.h"
#include "services/domain/streams.h"
#include "tests/services/domain/domain_test_util.h"
#include "tests/services/domain/rocksdb_log_test.h"
#include "tests/testing/gated_log.h"
#include "tests/testing/temp_dir.h"

namespace rotor::domain::testing {
namespace {

IngestAgentReport Ingest(std::string report_id, std::string agent, Time at) {
  return IngestAgentReport{
      Report(std::move(report_id), std::move(agent), at, {WebOld().fingerprint}), at, "relay-1"};
}

class CommandServicePipelineTest : public RocksDbLogTest {
 protected:
  static std::string StateOf(CommandService& service) {
    std::string bytes;
    EXPECT_TRUE(service.Read([&](const DomainState& s) { bytes = EncodeState(s); }).ok());
    return bytes;
  }
};

TEST_F(CommandServicePipelineTest, ABatchIsDecidedWhileAnotherBatchsEventsAreWritten) {
  rotor::testing::GatedLog gated(*log_);
  CommandService service(gated);
  std::vector<Command> first = {Ingest("a-1", "a1", T0()), Ingest("a-2", "a2", T0())};
  std::vector<Command> second = {Ingest("b-1", "b1", T0()), Ingest("b-2", "b2", T0())};
  std::vector<Result<CommandOutcome>> first_results;
  std::thread writer([&] { first_results = service.ExecuteBatch(first); });
  // The first batch is being written: the second is decided meanwhile (if
  // the service held its lock through the write, it would wait here until
  // the gate gave up, and reach the log only after the first).
  gated.AwaitFirstCall();
  std::vector<Result<CommandOutcome>> second_results = service.ExecuteBatch(second);
  writer.join();
  for (const auto& r : second_results) ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(gated.second_began()) << "the second batch waited for the first one's write";
  for (const auto& r : first_results) ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(log_->Head(), 4u);
  CommandService replayed(*log_);
  EXPECT_EQ(StateOf(service), StateOf(replayed));
}

TEST_F(CommandServicePipelineTest, ConcurrentBatchesKeepEachAgentsReportsOnceAndInOrder) {
  CommandService service(*log_);
  constexpr int kAgents = 40;
  constexpr int kRounds = 30;
  // Two callers, each with its own reports of the same agents: caller c's
  // report r of an agent is dated r hours after T0 plus c minutes, so a
  // caller's reports of one agent are newer round by round.
  auto caller = [&](int c, std::vector<std::string>* errors) {
    for (int r = 0; r < kRounds; ++r) {
      std::vector<Command> batch;
      for (int a = 0; a < kAgents; ++a) {
        batch.push_back(Ingest(
            "c" + std::to_string(c) + "-r" + std::to_string(r) + "-a" + std::to_string(a),
            "agent-" + std::to_string(a), T0() + Hours(r) + Micros(std::chrono::minutes(c))));
      }
      for (const auto& result : service.ExecuteBatch(batch)) {
        if (!result.ok()) errors->push_back(result.status().ToString());
      }
    }
  };
  std::vector<std::string> errors0, errors1;
  std::thread t0(caller, 0, &errors0);
  std::thread t1(caller, 1, &errors1);
  t0.join();
  t1.join();
  EXPECT_THAT(errors0, ::testing::IsEmpty());
  EXPECT_THAT(errors1, ::testing::IsEmpty());
  for (int a = 0; a < kAgents; ++a) {
    std::vector<std::string> ids = StreamReportIds("agent-" + std::to_string(a));
    // Each report at most once, and a stream only ever moves forward in
    // time: an older report that lost the race is outdated, not appended.
    std::set<std::string> unique(ids.begin(), ids.end());
    EXPECT_EQ(unique.size(), ids.size()) << "agent-" << a;
    ASSERT_FALSE(ids.empty());
    EXPECT_EQ(ids.back(), "c1-r" + std::to_string(kRounds - 1) + "-a" + std::to_string(a))
        << "the newest report is the agent's last";
  }
  CommandService replayed(*log_);
  EXPECT_EQ(StateOf(service), StateOf(replayed))
      << "the state folded while batches overlapped is the log's";
}

}  // namespace
}  // namespace rotor::domain::testing
