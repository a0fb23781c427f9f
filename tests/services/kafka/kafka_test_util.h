// Test helpers for the Kafka tests: one real broker per test process
// (docker/kafka/kafka.sh), shell commands, kcat output parsing and
// protoc-made report bytes. Test-only; thread-compatible.
//
// A broker is started in SetUpTestSuite in a fresh directory and stopped in
// TearDownTestSuite. With ROTOR_TEST_KAFKA_DIR set, that broker directory is
// used (started if needed) and left running, for quicker local iterations.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "services/kafka/client_config.h"

namespace rotor::kafka::testing {

// Runs `command` with /bin/sh; returns its exit status (-1 when it did not
// exit normally) and its stdout in `out` (when given). Stderr is inherited.
int Shell(const std::string& command, std::string* out = nullptr);

// Single-quotes `s` for /bin/sh.
std::string Quote(const std::string& s);

// The repository's root (a compile definition).
std::string SourceDir();

// Polls `done` every 10 ms until it is true or `timeout` passes; returns its
// last value.
bool WaitFor(const std::function<bool()>& done,
             std::chrono::milliseconds timeout = std::chrono::seconds(120));

// A fresh topic name for the running test: "<prefix>.<test name>.<random>".
std::string UniqueTopic(const std::string& prefix);

// One message as printed by Kcat().
struct KcatRecord {
  int32_t partition = -1;
  int64_t offset = -1;
  std::string key;
  std::string value;
  std::map<std::string, std::string> headers;  // the last value of each name
};

// Consumes `topic` from the beginning to its end with Debian's kcat and
// parses every record (binary-safe: lengths come before the bytes).
std::vector<KcatRecord> Kcat(const std::string& bootstrap, const std::string& topic);

// How many messages on `topic` carry each rotor-sequence header value
// (index 1..max; values outside fail the test), read with Debian's kcat, a
// client Rotor did not write.
std::vector<uint32_t> SequenceCopies(const std::string& bootstrap, const std::string& topic,
                                     uint64_t max);

// Starts `binary` with `args` in a child process, its stdout and stderr
// appended to `log_path`. Returns the child's pid (or -1).
int SpawnProcess(const std::string& binary, const std::vector<std::string>& args,
                 const std::string& log_path);

// The relay checkpoint's sequence in `path`; 0 when it is missing or unreadable.
uint64_t CheckpointOf(const std::string& path);

// Encodes a text-format rotor.v1.AgentReport with protoc --encode.
std::string ProtocEncodeReport(const std::string& text_format);

class KafkaTest : public ::testing::Test {
 public:
  static void SetUpTestSuite();
  static void TearDownTestSuite();

 protected:
  static const std::string& bootstrap() { return bootstrap_; }
  static const std::string& broker_dir() { return broker_dir_; }
  static ClientSettings Client();
  // kafka.sh restart: the same address, the data kept.
  static void RestartBroker();

 private:
  static std::string broker_dir_;
  static std::string bootstrap_;
  static bool own_broker_;
};

}  // namespace rotor::kafka::testing

namespace rotor {
class EventLog;
}  // namespace rotor

namespace rotor::kafka::testing {

// Appends `events` AgentInventoryReported events, `per_append` per append,
// each append to stream "agent-<n % streams>". Fails the test on error.
void FillLog(EventLog& log, uint64_t events, size_t per_append, size_t streams);

}  // namespace rotor::kafka::testing
