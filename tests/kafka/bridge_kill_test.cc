// SIGKILL of the real rotor-kafka-bridge process in the middle of relaying:
// after a restart every sequence 1..N is on the topic, as read by Debian's
// kcat (a client Rotor did not write). Repeats are allowed, gaps are not.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <sstream>

#include "events/rocksdb_event_log.h"
#include "services/kafka/relay_checkpoint.h"
#include "services/kafka/topic_admin.h"
#include "tests/testing/temp_dir.h"
#include "tests/kafka/kafka_test_util.h"

namespace rotor::kafka {
namespace {

using testing::Quote;
using testing::WaitFor;

// Starts rotor-kafka-bridge with `args`, its output going to `log_path`.
pid_t SpawnBridge(const std::vector<std::string>& args, const std::string& log_path) {
  std::vector<std::string> argv_strings = {ROTOR_KAFKA_BRIDGE};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

uint64_t CheckpointOf(const std::string& path) {
  auto position = RelayCheckpointFile(path).Load();
  return position.ok() ? position->sequence : 0;
}

class BridgeProcessTest : public testing::KafkaTest {};

TEST_F(BridgeProcessTest, SigkillMidRelayThenRestartPublishesEverySequence) {
  constexpr uint64_t kEvents = 100000;
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
  // Kill once a fifth is acknowledged: well inside the run, with deliveries in flight.
  ASSERT_TRUE(WaitFor([&] { return CheckpointOf(checkpoint) >= kEvents / 5; }))
      << "the relay did not get a fifth of the way; see " << dir.Sub("bridge.log");
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

  // Read the topic with kcat, headers only: "rotor-event-type=...,rotor-sequence=N".
  std::string out;
  ASSERT_EQ(testing::Shell("kcat -C -q -e -o beginning -b " + Quote(bootstrap()) + " -t " +
                               Quote(topic) + " -f '%h\\n'",
                           &out),
            0);
  std::vector<uint32_t> copies(kEvents + 1, 0);
  uint64_t messages = 0;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    size_t at = line.find("rotor-sequence=");
    ASSERT_NE(at, std::string::npos) << line;
    uint64_t sequence = std::stoull(line.substr(at + 15));
    ASSERT_GE(sequence, 1u);
    ASSERT_LE(sequence, kEvents);
    copies[sequence]++;
    messages++;
  }
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
