// SIGKILL of the real rotor-kafka-bridge process in the middle of relaying:
// after a restart every sequence 1..N is on the topic, as read by Debian's
// kcat (a client Rotor did not write). Repeats are allowed, gaps are not.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>

#include "events/rocksdb_event_log.h"
#include "services/kafka/topic_admin.h"
#include "tests/services/kafka/kafka_test_util.h"
#include "tests/testing/temp_dir.h"

namespace rotor::kafka {
namespace {

using testing::Quote;
using testing::WaitFor;

// Starts rotor-kafka-bridge with `args`, its output going to `log_path`.
pid_t SpawnBridge(const std::vector<std::string>& args, const std::string& log_path) {
  return testing::SpawnProcess(ROTOR_KAFKA_BRIDGE, args, log_path);
}

using testing::CheckpointOf;

class BridgeProcessTest : public testing::KafkaTest {};

TEST_F(BridgeProcessTest, SigkillMidRelayThenRestartPublishesEverySequence) {
  // Enough events that the relay, which stores its position every 100 ms, is
  // still publishing when the test first sees a stored position.
  constexpr uint64_t kEvents = 400000;
  rotor::testing::TempDir dir;
  std::string data = dir.Sub("log");
  {
    auto log = RocksDbEventLog::Open(data);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    testing::FillLog(**log, kEvents, 500, 64);
  }  // closed: the bridge opens it
  std::string topic = testing::UniqueTopic("events");
  ASSERT_TRUE(EnsureTopic(Client(), topic, 3).ok());
  std::string checkpoint = data + ".relay-checkpoint";  // the bridge's default
  std::vector<std::string> args = {
      "--data-dir", data,           "--brokers",        bootstrap(), "--events-topic",
      topic,        "--no-consume", "--stats-interval", "1"};

  pid_t first = SpawnBridge(args, dir.Sub("bridge.log"));
  ASSERT_GT(first, 0);
  // Kill at the first stored position: inside the run, with deliveries in flight.
  ASSERT_TRUE(WaitFor([&] { return CheckpointOf(checkpoint) > 0; }))
      << "the relay stored no position; see " << dir.Sub("bridge.log");
  ASSERT_EQ(kill(first, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(first, &status, 0), first);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  uint64_t at_kill = CheckpointOf(checkpoint);
  ASSERT_LT(at_kill, kEvents) << "the relay finished before the kill: not a mid-relay crash";

  pid_t second = SpawnBridge(args, dir.Sub("bridge.log"));
  ASSERT_GT(second, 0);
  EXPECT_TRUE(
      WaitFor([&] { return CheckpointOf(checkpoint) == kEvents; }, std::chrono::minutes(5)));
  ASSERT_EQ(kill(second, SIGTERM), 0);
  ASSERT_EQ(waitpid(second, &status, 0), second);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "graceful exit on SIGTERM";

  std::vector<uint32_t> copies = testing::SequenceCopies(bootstrap(), topic, kEvents);
  uint64_t messages = 0;
  for (uint32_t c : copies) messages += c;
  uint64_t missing = 0;
  for (uint64_t s = 1; s <= kEvents; ++s) missing += copies[s] == 0 ? 1 : 0;
  EXPECT_EQ(missing, 0u) << "sequences missing from the topic";
  // Everything up to the checkpoint at the kill was published exactly once;
  // the repeats are the events acknowledged or in flight after it.
  for (uint64_t s = 1; s <= at_kill; ++s) ASSERT_EQ(copies[s], 1u) << "sequence " << s;
  RecordProperty("checkpoint_at_kill", std::to_string(at_kill));
  RecordProperty("repeats", std::to_string(messages - kEvents));
  std::printf("killed at checkpoint %llu of %llu; %llu repeats after the restart\n",
              static_cast<unsigned long long>(at_kill), static_cast<unsigned long long>(kEvents),
              static_cast<unsigned long long>(messages - kEvents));
}

}  // namespace
}  // namespace rotor::kafka
