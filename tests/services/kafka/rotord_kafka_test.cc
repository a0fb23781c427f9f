// rotord with Kafka (--kafka-brokers, --kafka-config), the real process
// against a real broker: SIGKILL in the middle of relaying, then a restart,
// leaves every sequence 1..N on the topic as read by Debian's kcat; agent
// reports produced with kcat are ingested, published back as events, and
// durable in rotord's log after a graceful SIGTERM; fenced by a second member
// with its static group member id, rotord exits 1 saying why.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "events/codec.h"
#include "events/rocksdb_event_log.h"
#include "services/kafka/topic_admin.h"
#include "tests/services/kafka/kafka_test_util.h"
#include "tests/services/kafka/report_gen.h"
#include "tests/testing/files.h"
#include "tests/testing/temp_dir.h"

namespace rotor::kafka {
namespace {

using testing::Quote;
using testing::WaitFor;

pid_t SpawnRotord(const std::vector<std::string>& args, const std::string& log_path) {
  return testing::SpawnProcess(ROTORD, args, log_path);
}

using testing::CheckpointOf;
using testing::SequenceCopies;

void StopGracefully(pid_t pid) {
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "graceful exit on SIGTERM";
}

class RotordKafkaTest : public testing::KafkaTest {
 protected:
  // A config file for rotord's Kafka clients.
  std::string WriteConfig(const std::string& text) {
    std::string path = dir_.Sub("kafka.conf");
    rotor::testing::WriteFile(path, text);
    return path;
  }
  std::vector<std::string> Args(const std::string& config) {
    return {"--data",          dir_.Sub("data"), "--listen",       "127.0.0.1:0",
            "--kafka-brokers", bootstrap(),      "--kafka-config", config};
  }

  rotor::testing::TempDir dir_;
};

TEST_F(RotordKafkaTest, SigkillMidRelayThenRestartPublishesEverySequence) {
  // Enough events that the relay, which stores its checkpoint every 100 ms,
  // is still publishing when the test sees the first stored position and
  // kills it (60,000 were once all published within one interval).
  constexpr uint64_t kEvents = 400000;
  {
    std::filesystem::create_directories(dir_.Sub("data"));
    auto log = RocksDbEventLog::Open(dir_.Sub("data") + "/events");
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    testing::FillLog(**log, kEvents, 500, 64);
  }
  std::string topic = testing::UniqueTopic("events");
  ASSERT_TRUE(EnsureTopic(Client(), topic, 3).ok());
  std::string config = WriteConfig("events.topic = " + topic + "\nconsume = false\n");
  std::string checkpoint = dir_.Sub("data") + "/kafka-relay.checkpoint";  // rotord's default

  pid_t first = SpawnRotord(Args(config), dir_.Sub("rotord.log"));
  ASSERT_GT(first, 0);
  ASSERT_TRUE(WaitFor([&] { return CheckpointOf(checkpoint) > 0; }, std::chrono::minutes(2)))
      << "the relay stored no position; see " << dir_.Sub("rotord.log");
  ASSERT_EQ(kill(first, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(first, &status, 0), first);
  uint64_t at_kill = CheckpointOf(checkpoint);
  ASSERT_LT(at_kill, kEvents) << "the relay finished before the kill: not a mid-relay crash";

  pid_t second = SpawnRotord(Args(config), dir_.Sub("rotord.log"));
  ASSERT_GT(second, 0);
  EXPECT_TRUE(
      WaitFor([&] { return CheckpointOf(checkpoint) == kEvents; }, std::chrono::minutes(5)));
  StopGracefully(second);

  std::vector<uint32_t> copies = SequenceCopies(bootstrap(), topic, kEvents);
  uint64_t missing = 0;
  for (uint64_t s = 1; s <= kEvents; ++s) missing += copies[s] == 0 ? 1 : 0;
  EXPECT_EQ(missing, 0u) << "sequences missing from the topic";
  for (uint64_t s = 1; s <= at_kill; ++s) ASSERT_EQ(copies[s], 1u) << "sequence " << s;
}

TEST_F(RotordKafkaTest, ReportsFromTheTopicAreIngestedPublishedAndDurable) {
  constexpr uint64_t kReports = 5000;
  std::string reports = testing::UniqueTopic("reports");
  std::string events = reports + ".events";
  ASSERT_TRUE(EnsureTopic(Client(), reports, 3).ok());
  ASSERT_TRUE(EnsureTopic(Client(), reports + ".dlq", 1).ok());
  ASSERT_TRUE(EnsureTopic(Client(), events, 3).ok());
  auto report = testing::MakeReportTemplate(1793491200, {std::string(64, 'a')});
  std::vector<std::pair<std::string, std::string>> messages;
  for (uint64_t a = 0; a < kReports; ++a) {
    messages.emplace_back(testing::AgentId(a), report.Fill(a, a));
  }
  messages.emplace_back("junk", "not an agent report");  // to the dead-letter topic
  testing::KcatProduce(bootstrap(), reports, messages);
  std::string config = WriteConfig("reports.topic = " + reports + "\ndlq.topic = " + reports +
                                   ".dlq\nevents.topic = " + events + "\ngroup = rotord-test\n");
  std::string checkpoint = dir_.Sub("data") + "/kafka-relay.checkpoint";

  pid_t pid = SpawnRotord(Args(config), dir_.Sub("rotord.log"));
  ASSERT_GT(pid, 0);
  // Every ingested report's event is published once the relay checkpoint reaches N.
  ASSERT_TRUE(
      WaitFor([&] { return CheckpointOf(checkpoint) == kReports; }, std::chrono::minutes(3)))
      << "checkpoint " << CheckpointOf(checkpoint) << "; see " << dir_.Sub("rotord.log");
  StopGracefully(pid);

  std::vector<uint32_t> copies = SequenceCopies(bootstrap(), events, kReports);
  for (uint64_t s = 1; s <= kReports; ++s) ASSERT_GE(copies[s], 1u) << "sequence " << s;
  std::string dead;
  ASSERT_EQ(testing::Shell("kcat -C -q -e -o beginning -b " + Quote(bootstrap()) + " -t " +
                               Quote(reports + ".dlq") + " -f '%s\\n'",
                           &dead),
            0);
  EXPECT_NE(dead.find("not an agent report"), std::string::npos) << dead;

  auto log = RocksDbEventLog::Open(dir_.Sub("data") + "/events");
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_EQ((*log)->Head(), kReports) << "each report once, the junk none";
  std::set<std::string> agents;
  ASSERT_TRUE((*log)
                  ->ForEach(1,
                            [&](const RecordedEvent& e) {
                              EXPECT_EQ(e.event_type, "rotor.v1.AgentInventoryReported");
                              agents.insert(e.stream_id);
                              return true;
                            })
                  .ok());
  EXPECT_EQ(agents.size(), kReports);
}

// Two instances configured with the same static group member id: the broker
// fences the older one, which librdkafka reports as a fatal consumer error.
// rotord stops (exit 1) and says why, instead of running on without ingesting.
TEST_F(RotordKafkaTest, FencedByAnotherMemberWithItsStaticIdItExitsOneSayingWhy) {
  std::string reports = testing::UniqueTopic("reports");
  ASSERT_TRUE(EnsureTopic(Client(), reports, 1).ok());
  ASSERT_TRUE(EnsureTopic(Client(), reports + ".dlq", 1).ok());
  ASSERT_TRUE(EnsureTopic(Client(), reports + ".events", 1).ok());
  std::string config = WriteConfig("reports.topic = " + reports + "\ndlq.topic = " + reports +
                                   ".dlq\nevents.topic = " + reports +
                                   ".events\ngroup = fenced-test\n"
                                   "librdkafka.group.instance.id = rotord-1\n");
  std::string log_path = dir_.Sub("rotord.log");
  pid_t pid = SpawnRotord(Args(config), log_path);
  ASSERT_GT(pid, 0);
  auto log_text = [&] { return rotor::testing::ReadFile(log_path); };
  ASSERT_TRUE(WaitFor([&] { return log_text().find("assigned") != std::string::npos; },
                      std::chrono::minutes(1)))
      << "rotord's consumer did not join its group; see " << log_path;

  pid_t other = testing::SpawnProcess(
      "/usr/bin/kcat",
      {"-b", bootstrap(), "-G", "fenced-test", "-X", "group.instance.id=rotord-1", reports},
      dir_.Sub("kcat.log"));
  ASSERT_GT(other, 0);
  int status = 0;
  bool exited =
      WaitFor([&] { return waitpid(pid, &status, WNOHANG) == pid; }, std::chrono::minutes(1));
  kill(other, SIGTERM);
  waitpid(other, nullptr, 0);
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    FAIL() << "rotord kept running after it was fenced; see " << log_path;
  }
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << "status " << status;
  std::string text = log_text();
  EXPECT_NE(text.find("fenced by other consumer with same group.instance.id"), std::string::npos)
      << text;
  EXPECT_NE(text.find("shutting down"), std::string::npos) << text;
}

}  // namespace
}  // namespace rotor::kafka
