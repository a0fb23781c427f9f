// The report consumer against a real broker. Reports are bytes made by
// protoc and produced by Debian's kcat (report_gen.h explains how).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "events/codec.h"
#include "events/rocksdb_event_log.h"
#include "projections/fold.h"
#include "services/domain/command_service.h"
#include "services/kafka/event_relay.h"
#include "services/kafka/report_consumer.h"
#include "services/kafka/topic_admin.h"
#include "tests/services/kafka/kafka_test_util.h"
#include "tests/services/kafka/report_gen.h"
#include "tests/testing/gated_log.h"
#include "tests/testing/temp_dir.h"

namespace rotor::kafka {
namespace {

using testing::AgentId;
using testing::KcatProduce;
using testing::MakeReportTemplate;
using testing::WaitFor;
using Messages = std::vector<std::pair<std::string, std::string>>;

const std::string kOld(64, 'a');
const std::string kNew = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr int64_t kT0 = 1793491200;  // 2026-11-01T00:00:00Z
const Time kNow = TimeFromMicros(kT0 * 1000000 + 86400000000);

class ReportConsumerTest : public testing::KafkaTest {
 protected:
  void SetUp() override {
    auto log = RocksDbEventLog::Open(dir_.Sub("log"));
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(*log);
    service_ = std::make_unique<domain::CommandService>(*log_);
    topic_ = testing::UniqueTopic("reports");
    ingestor_ = std::make_unique<ReportIngestor>(*service_, KafkaIngestActor(topic_));
    dlq_ = topic_ + ".dlq";
    ASSERT_TRUE(EnsureTopic(Client(), topic_, 3).ok());
    ASSERT_TRUE(EnsureTopic(Client(), dlq_, 1).ok());
  }

  std::unique_ptr<ReportConsumer> StartConsumer(const std::string& group, size_t batch = 5000,
                                                ReportIngestor* ingestor = nullptr) {
    ReportConsumerOptions o;
    o.client = Client();
    o.topic = topic_;
    o.dlq_topic = dlq_;
    o.group = group;
    o.batch_max = batch;
    o.clock = [] { return kNow; };
    auto consumer = ReportConsumer::Create(ingestor != nullptr ? *ingestor : *ingestor_, o);
    EXPECT_TRUE(consumer.ok()) << consumer.status().ToString();
    if (!consumer.ok()) return nullptr;
    (*consumer)->Start();
    return std::move(*consumer);
  }

  static int64_t CommittedTotal(const ReportConsumer& c) {
    int64_t total = 0;
    for (const auto& [where, offset] : c.committed()) total += offset;
    return total;
  }

  rotor::testing::TempDir dir_;
  std::unique_ptr<RocksDbEventLog> log_;
  std::unique_ptr<domain::CommandService> service_;
  std::unique_ptr<ReportIngestor> ingestor_;
  std::string topic_;
  std::string dlq_;
};

TEST_F(ReportConsumerTest, HundredThousandReportsFromKcatReachTheProjections) {
  constexpr uint64_t kAgents = 50000;  // two reports each: 100,000
  auto first = MakeReportTemplate(kT0, {kOld});
  auto with_new = MakeReportTemplate(kT0 + 3600, {kOld, kNew});
  auto without_new = MakeReportTemplate(kT0 + 3600, {kOld});
  Messages bulk;
  bulk.reserve(2 * kAgents);
  for (uint64_t a = 0; a < kAgents; ++a) bulk.emplace_back(AgentId(a), first.Fill(a, a));
  for (uint64_t a = 0; a < kAgents; ++a) {
    bulk.emplace_back(AgentId(a), (a % 2 == 0 ? with_new : without_new).Fill(kAgents + a, a));
  }
  KcatProduce(bootstrap(), topic_, bulk);
  Messages json;
  for (int i = 1; i <= 3; ++i) {
    json.emplace_back("json-agent-" + std::to_string(i),
                      "{\"reportId\":\"json-" + std::to_string(i) + "\",\"agentId\":\"json-agent-" +
                          std::to_string(i) +
                          "\",\"reportedAt\":\"2026-11-01T00:00:00Z\",\"certificateFingerprints\":"
                          "[\"" +
                          kNew + "\"],\"site\":\"site-2\"}");
  }
  KcatProduce(bootstrap(), topic_, json, "-H content-type=application/json");
  KcatProduce(bootstrap(), topic_, {{"bad", "this is not an AgentReport"}});
  constexpr uint64_t kTotal = 2 * kAgents + 3 + 1;

  auto consumer = StartConsumer("ingest");
  ASSERT_NE(consumer, nullptr);
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitFor([&] { return consumer->processed() == kTotal; }, std::chrono::minutes(15)))
      << "processed " << consumer->processed() << " of " << kTotal << "; "
      << consumer->status().ToString();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%llu messages ingested in %.1f s (%.0f/s)\n",
              static_cast<unsigned long long>(kTotal), seconds, kTotal / seconds);
  EXPECT_TRUE(WaitFor([&] { return CommittedTotal(*consumer) == static_cast<int64_t>(kTotal); }));
  consumer->Stop();
  EXPECT_TRUE(consumer->status().ok()) << consumer->status().ToString();
  EXPECT_EQ(consumer->ingested(), 2 * kAgents + 3);
  EXPECT_EQ(consumer->duplicates(), 0u);
  EXPECT_EQ(consumer->dead_lettered(), 1u);
  EXPECT_EQ(consumer->malformed(), 1u);

  // The read models, folded from the log.
  auto models = projections::ComputeAsOf(*log_, projections::FoldLimit::Head());
  ASSERT_TRUE(models.ok()) << models.status().ToString();
  EXPECT_EQ((*models)->folded.events, 2 * kAgents + 3);
  EXPECT_EQ((*models)->fleet.agent_count(), kAgents + 3);
  std::vector<std::string> both = {kNew, kOld};
  std::sort(both.begin(), both.end());
  for (uint64_t a : {uint64_t{0}, uint64_t{1}, kAgents - 2, kAgents - 1}) {
    auto agent = (*models)->fleet.Agent(AgentId(a));
    ASSERT_TRUE(agent.has_value()) << AgentId(a);
    EXPECT_EQ(agent->certificates, a % 2 == 0 ? both : std::vector<std::string>{kOld});
    EXPECT_EQ(agent->last_report_at, TimeFromMicros((kT0 + 3600) * 1000000));
    EXPECT_EQ(agent->site, "site-1");
  }
  auto json_agent = (*models)->fleet.Agent("json-agent-2");
  ASSERT_TRUE(json_agent.has_value());
  EXPECT_EQ(json_agent->certificates, std::vector<std::string>{kNew});

  // The malformed message is in the dead-letter topic, with the error.
  std::vector<testing::KcatRecord> letters = testing::Kcat(bootstrap(), dlq_);
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].key, "bad");
  EXPECT_EQ(letters[0].value, "this is not an AgentReport");
  EXPECT_NE(letters[0].headers["rotor-error"].find("invalid_argument"), std::string::npos)
      << letters[0].headers["rotor-error"];
  EXPECT_EQ(letters[0].headers["rotor-original-topic"], topic_);
  EXPECT_FALSE(letters[0].headers["rotor-original-partition"].empty());
  EXPECT_FALSE(letters[0].headers["rotor-original-offset"].empty());
}

TEST_F(ReportConsumerTest, RedeliveredReportIsANoOpAndCommittedOffsetsAreNotConsumedAgain) {
  auto report = MakeReportTemplate(kT0, {kOld});
  Messages messages;
  for (uint64_t a = 0; a < 10; ++a) messages.emplace_back(AgentId(a), report.Fill(a, a));
  for (uint64_t a = 0; a < 3; ++a) messages.emplace_back(AgentId(a), report.Fill(a, a));
  messages.emplace_back(AgentId(11), report.Fill(0, 11));  // report r-0 again, another agent
  KcatProduce(bootstrap(), topic_, messages);

  auto first = StartConsumer("redelivery");
  ASSERT_TRUE(WaitFor([&] { return first->processed() == 14; }));
  EXPECT_TRUE(WaitFor([&] { return CommittedTotal(*first) == 14; }));
  first->Stop();
  EXPECT_EQ(first->ingested(), 10u);
  EXPECT_EQ(first->duplicates(), 3u);
  EXPECT_EQ(first->dead_lettered(), 1u) << "a report_id already used by another agent";
  EXPECT_EQ(first->malformed(), 0u);
  EXPECT_EQ(log_->Head(), 10u);
  std::vector<testing::KcatRecord> letters = testing::Kcat(bootstrap(), dlq_);
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_NE(letters[0].headers["rotor-error"].find("already_exists"), std::string::npos)
      << letters[0].headers["rotor-error"];

  // The same group resumes after its committed offsets: only the new report.
  auto second = StartConsumer("redelivery");
  KcatProduce(bootstrap(), topic_, {{AgentId(12), report.Fill(12, 12)}});
  ASSERT_TRUE(WaitFor([&] { return second->processed() >= 1; }));
  EXPECT_TRUE(WaitFor([&] { return CommittedTotal(*second) > 0; }));
  second->Stop();
  EXPECT_EQ(second->processed(), 1u);
  EXPECT_EQ(second->ingested(), 1u);
  EXPECT_EQ(log_->Head(), 11u);
  RecordedEvent last;
  ASSERT_TRUE(log_->ReadOne(log_->Head(), &last).ok());
  EXPECT_EQ(last.actor, "kafka:" + topic_) << "the consumer's own principal, not the agent's id";
}

TEST_F(ReportConsumerTest, TheNextBatchIsIngestedWhileOneIsBeingWritten) {
  // The first batch's write waits (up to ten seconds) for a second batch to
  // reach the log: it does only if the consumer keeps two batches in flight
  // and the command service decides one while the other is written.
  rotor::testing::GatedLog gated(*log_);
  domain::CommandService service(gated);
  ReportIngestor ingestor(service, KafkaIngestActor(topic_));
  auto report = MakeReportTemplate(kT0, {kOld});
  Messages messages;
  for (uint64_t a = 0; a < 40; ++a) messages.emplace_back(AgentId(a), report.Fill(a, a));
  KcatProduce(bootstrap(), topic_, messages);

  auto consumer = StartConsumer("pipelined", 10, &ingestor);
  ASSERT_TRUE(WaitFor([&] { return consumer->processed() == 40; }));
  EXPECT_TRUE(WaitFor([&] { return CommittedTotal(*consumer) == 40; }));
  consumer->Stop();
  EXPECT_TRUE(gated.second_began()) << "the second batch waited for the first one's write";
  EXPECT_EQ(consumer->ingested(), 40u);
  EXPECT_EQ(log_->Head(), 40u);
  EXPECT_GE(consumer->batches(), 4u);
  // Every batch is ingested on one of the consumer's two threads, not on a
  // thread made for it.
  EXPECT_LE(gated.appending_threads().size(), 2u);
}

TEST_F(ReportConsumerTest, ReportOfARevokedAgentIsRejectedNotDeadLettered) {
  auto report = MakeReportTemplate(kT0, {kOld});
  auto later = MakeReportTemplate(kT0 + 60, {kOld});
  ASSERT_TRUE(service_
                  ->Execute(domain::IngestAgentReport{AgentReport{"r-direct",
                                                                  AgentId(7),
                                                                  TimeFromMicros(kT0 * 1000000),
                                                                  {kOld},
                                                                  "",
                                                                  "site-1",
                                                                  true},
                                                      kNow, "relay-1"})
                  .ok());
  auto revoked = service_->Execute(domain::RevokeAgentCertificate{AgentId(7), 1, "alice", kNow});
  ASSERT_TRUE(revoked.ok()) << revoked.status().ToString();
  KcatProduce(bootstrap(), topic_, {{AgentId(7), later.Fill(70, 7)}});

  auto consumer = StartConsumer("revoked");
  ASSERT_TRUE(WaitFor([&] { return consumer->processed() == 1; }));
  consumer->Stop();
  EXPECT_EQ(consumer->rejected(), 1u);
  EXPECT_EQ(consumer->dead_lettered(), 0u);
  RecordedEvent last;
  ASSERT_TRUE(log_->ReadOne(log_->Head(), &last).ok());
  EXPECT_EQ(last.event_type, "rotor.v1.AgentReportRejected");
  EXPECT_TRUE(testing::Kcat(bootstrap(), dlq_).empty());
}

TEST_F(ReportConsumerTest, BrokerRestartMidStreamLosesNothing) {
  constexpr uint64_t kBefore = 20000;
  constexpr uint64_t kAfter = 5000;
  auto report = MakeReportTemplate(kT0, {kOld, kNew});
  Messages before;
  for (uint64_t a = 0; a < kBefore; ++a) before.emplace_back(AgentId(a), report.Fill(a, a));
  KcatProduce(bootstrap(), topic_, before);
  std::string events_topic = topic_ + ".events";
  ASSERT_TRUE(EnsureTopic(Client(), events_topic, 3).ok());
  EventRelayOptions relay_options;
  relay_options.client = Client();
  relay_options.topic = events_topic;
  relay_options.checkpoint_path = dir_.Sub("log.relay-checkpoint");
  auto relay = EventRelay::Create(*log_, relay_options);
  ASSERT_TRUE(relay.ok()) << relay.status().ToString();
  (*relay)->Start();
  auto consumer = StartConsumer("restart", 500);

  ASSERT_TRUE(WaitFor([&] { return consumer->processed() >= 1000; }));
  RestartBroker();  // stop + start on the same port, keeping the data (about 10 s)
  Messages after;
  for (uint64_t a = kBefore; a < kBefore + kAfter; ++a) {
    after.emplace_back(AgentId(a), report.Fill(a, a));
  }
  KcatProduce(bootstrap(), topic_, after);

  constexpr uint64_t kTotal = kBefore + kAfter;
  ASSERT_TRUE(WaitFor([&] { return consumer->processed() == kTotal; }, std::chrono::minutes(10)))
      << "processed " << consumer->processed() << "; " << consumer->status().ToString();
  EXPECT_TRUE(WaitFor([&] { return CommittedTotal(*consumer) == static_cast<int64_t>(kTotal); }));
  consumer->Stop();
  EXPECT_EQ(consumer->ingested(), kTotal);
  EXPECT_EQ(consumer->dead_lettered(), 0u);
  EXPECT_EQ(log_->Head(), kTotal) << "each report once in the log";

  ASSERT_TRUE(WaitFor([&] { return (*relay)->acknowledged() == kTotal; }));
  (*relay)->Stop();
  std::vector<uint32_t> copies(kTotal + 1, 0);
  for (const testing::KcatRecord& r : testing::Kcat(bootstrap(), events_topic)) {
    copies[std::stoull(r.headers.at("rotor-sequence"))]++;
  }
  for (uint64_t s = 1; s <= kTotal; ++s) ASSERT_GE(copies[s], 1u) << "sequence " << s;
  std::printf("consumer: %llu commits, %llu failed and retried; relay: %llu delivery errors\n",
              static_cast<unsigned long long>(consumer->commits()),
              static_cast<unsigned long long>(consumer->commit_failures()),
              static_cast<unsigned long long>((*relay)->delivery_errors()));
}

TEST_F(ReportConsumerTest, RebalanceToASecondMemberLosesNothingAndRepeatsNothing) {
  constexpr uint64_t kWave = 10000;
  constexpr uint64_t kReports = 2 * kWave;
  auto report = MakeReportTemplate(kT0, {kOld});
  auto wave = [&](uint64_t from) {
    Messages messages;
    for (uint64_t a = from; a < from + kWave; ++a) {
      messages.emplace_back(AgentId(a), report.Fill(a, a));
    }
    KcatProduce(bootstrap(), topic_, messages);
  };
  wave(0);

  auto first = StartConsumer("rebalance", 500);
  ASSERT_TRUE(WaitFor([&] { return first->processed() >= 2000; }));
  // A second member (as a second rotord would be) joins: partitions move.
  // The second wave is produced once both hold partitions, so both get work
  // however fast the first member drained the first wave.
  domain::CommandService other_service(*log_);
  ReportIngestor other_ingestor(other_service, KafkaIngestActor(topic_));
  auto second = StartConsumer("rebalance", 500, &other_ingestor);
  ASSERT_TRUE(WaitFor([&] {
    return first->assigned_partitions() > 0 && second->assigned_partitions() > 0 &&
           first->assigned_partitions() + second->assigned_partitions() == 3;
  })) << "first holds "
      << first->assigned_partitions() << ", second " << second->assigned_partitions();
  wave(kWave);
  ASSERT_TRUE(WaitFor([&] { return first->processed() + second->processed() >= kReports; },
                      std::chrono::minutes(10)));
  second->Stop();
  first->Stop();
  EXPECT_TRUE(first->status().ok() && second->status().ok());
  EXPECT_GT(second->processed(), 0u) << "the second member got partitions";
  EXPECT_EQ(first->ingested() + second->ingested(), kReports);
  // What was processed before the rebalance was committed in the revoke
  // callback, so it is not delivered again, unless that commit failed (a
  // loaded broker can refuse it mid-rebalance): then the new owner gets the
  // reports again and they are no-ops.
  uint64_t commit_failures = first->commit_failures() + second->commit_failures();
  if (commit_failures == 0) {
    EXPECT_EQ(first->duplicates() + second->duplicates(), 0u)
        << "delivered again though every commit succeeded";
  }
  EXPECT_EQ(log_->Head(), kReports) << "each report once in the log";
}

TEST(ReportMessageTest, ParsesByContentType) {
  AgentReport report{"r-1", "agent-1", TimeFromMicros(kT0 * 1000000), {kOld}, "", "site-1", true};
  EXPECT_EQ(*ParseReportMessage("", SerializeAgentReport(report)), report);
  EXPECT_EQ(*ParseReportMessage("application/x-protobuf", SerializeAgentReport(report)), report);
  EXPECT_EQ(*ParseReportMessage("Application/JSON; charset=utf-8", AgentReportToJson(report)),
            report);
  EXPECT_EQ(ParseReportMessage("text/csv", "r-1,agent-1").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseReportMessage("", "not protobuf").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rotor::kafka
