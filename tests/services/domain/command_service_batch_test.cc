// CommandService::ExecuteBatch over the real RocksDB log: one durable write
// for a batch of reports of distinct agents, the commands of one stream in
// order, a refusal or no-op decided only after the commands before it, and
// conflicts with another service retried.
#include <gmock/gmock.h>

#include <optional>

#include "events/codec.h"
#include "events/rocksdb_event_log.h"
#include "services/domain/command_service.h"
#include "services/domain/streams.h"
#include "tests/services/domain/domain_test_util.h"
#include "tests/services/domain/rocksdb_log_test.h"
#include "tests/testing/temp_dir.h"

namespace rotor::domain::testing {
namespace {

IngestAgentReport Ingest(std::string report_id, std::string agent, Time at,
                         std::vector<std::string> fingerprints) {
  return IngestAgentReport{
      Report(std::move(report_id), std::move(agent), at, std::move(fingerprints)), at, "relay-1"};
}

RegisterCertificate Register(const CertificateInfo& info) {
  return RegisterCertificate{info, CertificateKind::kServerWeb, "", "alice", T0()};
}

class CommandServiceBatchTest : public RocksDbLogTest {
 protected:
  const std::string& kOld = WebOld().fingerprint;
};

TEST_F(CommandServiceBatchTest, ReportsOfDistinctAgentsShareOneDurableWrite) {
  CommandService service(*log_);
  std::vector<Command> batch;
  for (int i = 0; i < 300; ++i) {
    batch.push_back(Ingest("rep-" + std::to_string(i), "agent-" + std::to_string(i), T0(), {kOld}));
  }
  uint64_t commits = log_->group_commits();
  std::vector<Result<CommandOutcome>> results = service.ExecuteBatch(batch);
  EXPECT_EQ(log_->group_commits(), commits + 1);
  ASSERT_EQ(results.size(), 300u);
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i].ok()) << i << ": " << results[i].status().ToString();
    ASSERT_EQ(results[i]->appended.size(), 1u);
    EXPECT_EQ(results[i]->appended[0].result.first_sequence, i + 1) << "sequences in batch order";
    EXPECT_EQ(results[i]->attempts, 1);
  }
  EXPECT_EQ(log_->Head(), 300u);
  // The service's state holds the batch: a repeat is a no-op.
  Result<CommandOutcome> repeat = service.Execute(batch[7]);
  ASSERT_TRUE(repeat.ok());
  EXPECT_TRUE(repeat->IsNoOp());
}

TEST_F(CommandServiceBatchTest, CommandsOfOneStreamRunInOrderEachSeeingTheOnesBefore) {
  CommandService service(*log_);
  Time t1 = T0() + Hours(1);
  Time t2 = T0() + Hours(2);
  std::vector<Command> batch = {
      Ingest("r1", "a1", t1, {kOld}),   Ingest("x1", "a2", t1, {kOld}),
      Ingest("r2", "a1", t2, {kOld}),   Ingest("r1", "a1", t1, {kOld}),  // a repeat of the first
      Ingest("r0", "a1", T0(), {kOld}),                                  // older than r2: outdated
  };
  std::vector<Result<CommandOutcome>> results = service.ExecuteBatch(batch);
  ASSERT_EQ(results.size(), 5u);
  for (const auto& r : results) ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(results[0]->IsNoOp());
  EXPECT_FALSE(results[1]->IsNoOp());
  EXPECT_FALSE(results[2]->IsNoOp());
  EXPECT_TRUE(results[3]->IsNoOp());
  EXPECT_TRUE(results[4]->IsNoOp());
  EXPECT_EQ(StreamReportIds("a1"), (std::vector<std::string>{"r1", "r2"}));
  EXPECT_LT(results[0]->appended[0].result.first_sequence,
            results[2]->appended[0].result.first_sequence);
}

TEST_F(CommandServiceBatchTest, ARefusalIsDecidedOnTheStateAfterTheCommandsBeforeIt) {
  CommandService service(*log_);
  // Initiating needs both certificates, registered earlier in the same batch
  // (on other streams): on the first round's state it would be refused.
  std::vector<Command> batch = {Register(WebOld()), Register(WebNew()), InitiateWeb("r1"),
                                InitiateWeb("r1")};
  std::vector<Result<CommandOutcome>> results = service.ExecuteBatch(batch);
  ASSERT_EQ(results.size(), 4u);
  for (const auto& r : results) ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(results[2]->IsNoOp()) << "initiated once the certificates are registered";
  EXPECT_TRUE(results[3]->IsNoOp()) << "the repeat sees the first";
  EXPECT_EQ(log_->Head(), 3u);
}

TEST_F(CommandServiceBatchTest, ABadCommandIsRefusedAloneAndChangesNothing) {
  CommandService service(*log_);
  std::vector<Command> batch = {
      Ingest("r1", "a1", T0(), {kOld}),
      Ingest("r2", "a2", T0(), {"not-a-fingerprint"}),
      Ingest("r3", "a3", T0(), {kOld}),
  };
  std::vector<Result<CommandOutcome>> results = service.ExecuteBatch(batch);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].ok());
  EXPECT_EQ(results[1].status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(results[1].status().message(), ::testing::HasSubstr("r2"));
  EXPECT_TRUE(results[2].ok());
  EXPECT_EQ(log_->Head(), 2u);
  EXPECT_TRUE(StreamReportIds("a2").empty());
}

TEST_F(CommandServiceBatchTest, AConflictWithAnotherServiceIsDecidedAgain) {
  CommandService other(*log_);
  Time later = T0() + Hours(5);
  bool raced = false;
  CommandService::Options options;
  options.before_append = [&](int attempt) {
    if (attempt != 1 || raced) return;
    raced = true;  // another process ingests a newer report of a1 first
    Result<CommandOutcome> o = other.Execute(Ingest("newer", "a1", later, {kOld}));
    ASSERT_TRUE(o.ok()) << o.status().ToString();
  };
  CommandService service(*log_, options);
  std::vector<Command> batch = {Ingest("older", "a1", T0(), {kOld})};
  std::vector<Result<CommandOutcome>> results = service.ExecuteBatch(batch);
  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0].ok()) << results[0].status().ToString();
  EXPECT_TRUE(results[0]->IsNoOp()) << "decided again: now outdated";
  EXPECT_EQ(results[0]->attempts, 2);
  EXPECT_EQ(StreamReportIds("a1"), (std::vector<std::string>{"newer"}));
}

TEST_F(CommandServiceBatchTest, AReportIdOfAnotherAgentIsAlreadyExists) {
  CommandService service(*log_);
  std::vector<Command> batch = {Ingest("same-id", "a1", T0(), {kOld}),
                                Ingest("same-id", "a2", T0(), {kOld})};
  std::vector<Result<CommandOutcome>> results = service.ExecuteBatch(batch);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].ok());
  EXPECT_EQ(results[1].status().code(), StatusCode::kAlreadyExists)
      << results[1].status().ToString();
  EXPECT_EQ(log_->Head(), 1u);
}

}  // namespace
}  // namespace rotor::domain::testing
