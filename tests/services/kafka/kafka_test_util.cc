#include "tests/services/kafka/kafka_test_util.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace rotor::kafka::testing {

std::string KafkaTest::broker_dir_;
std::string KafkaTest::bootstrap_;
bool KafkaTest::own_broker_ = false;

int Shell(const std::string& command, std::string* out) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  std::string text;
  char buffer[1 << 16];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) text.append(buffer, n);
  int status = pclose(pipe);
  if (out != nullptr) *out = std::move(text);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string SourceDir() { return ROTOR_SOURCE_DIR; }

bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return done();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::string UniqueTopic(const std::string& prefix) {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::random_device random;
  return prefix + "." + (info != nullptr ? info->name() : "test") + "." +
         std::to_string(random() % 1000000);
}

std::vector<KcatRecord> Kcat(const std::string& bootstrap, const std::string& topic) {
  // %p %o %K:%k %S:%s %h\n; key and value are preceded by their lengths.
  std::string out;
  int rc = Shell("kcat -C -q -e -o beginning -b " + Quote(bootstrap) + " -t " + Quote(topic) +
                     " -f '%p %o %K:%k %S:%s %h\\n'",
                 &out);
  EXPECT_EQ(rc, 0) << "kcat -C on " << topic;
  std::vector<KcatRecord> records;
  size_t at = 0;
  auto number = [&](char end) {
    size_t stop = out.find(end, at);
    int64_t v = std::stoll(out.substr(at, stop - at));
    at = stop + 1;
    return v;
  };
  while (at < out.size()) {
    KcatRecord r;
    r.partition = static_cast<int32_t>(number(' '));
    r.offset = number(' ');
    int64_t key_len = number(':');
    if (key_len > 0) r.key = out.substr(at, key_len);
    at += std::max<int64_t>(key_len, 0) + 1;  // and the space
    int64_t value_len = number(':');
    if (value_len > 0) r.value = out.substr(at, value_len);
    at += std::max<int64_t>(value_len, 0) + 1;
    size_t eol = out.find('\n', at);
    std::string headers = out.substr(at, eol - at);
    at = eol + 1;
    size_t h = 0;
    while (h < headers.size()) {
      size_t comma = headers.find(',', h);
      if (comma == std::string::npos) comma = headers.size();
      std::string kv = headers.substr(h, comma - h);
      size_t eq = kv.find('=');
      if (eq != std::string::npos) r.headers[kv.substr(0, eq)] = kv.substr(eq + 1);
      h = comma + 1;
    }
    records.push_back(std::move(r));
  }
  return records;
}

std::string ProtocEncodeReport(const std::string& text_format) {
  std::string dir = SourceDir() + "/events/proto";
  std::string input = std::filesystem::temp_directory_path() /
                      ("rotor-report-" + std::to_string(::getpid()) + ".txtpb");
  std::ofstream(input) << text_format;
  std::string bytes;
  int rc = Shell("protoc --encode=rotor.v1.AgentReport -I " + Quote(dir) + " " +
                     Quote(dir + "/rotor/v1/agent_report.proto") + " < " + Quote(input),
                 &bytes);
  std::filesystem::remove(input);
  EXPECT_EQ(rc, 0) << "protoc --encode failed on:\n" << text_format;
  return bytes;
}

void KafkaTest::SetUpTestSuite() {
  std::string script = SourceDir() + "/docker/kafka/kafka.sh";
  ASSERT_EQ(Shell(Quote(script) + " install"), 0) << "kafka.sh install failed";
  const char* shared = std::getenv("ROTOR_TEST_KAFKA_DIR");
  if (shared != nullptr && *shared != '\0') {
    broker_dir_ = shared;
    own_broker_ = false;
  } else {
    std::string pattern = std::filesystem::temp_directory_path() / "rotor-kafka-XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    broker_dir_ = pattern;
    own_broker_ = true;
  }
  std::string out;
  ASSERT_EQ(Shell(Quote(script) + " start " + Quote(broker_dir_), &out), 0) << "kafka.sh start";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  bootstrap_ = out;
  ASSERT_FALSE(bootstrap_.empty());
}

void KafkaTest::TearDownTestSuite() {
  if (broker_dir_.empty() || !own_broker_) return;
  EXPECT_EQ(Shell(Quote(SourceDir() + "/docker/kafka/kafka.sh") + " stop " + Quote(broker_dir_)),
            0);
  std::error_code ec;
  std::filesystem::remove_all(broker_dir_, ec);
  broker_dir_.clear();
}

ClientSettings KafkaTest::Client() {
  ClientSettings client;
  client.brokers = bootstrap_;
  client.client_id = "rotor-test";
  return client;
}

void KafkaTest::RestartBroker() {
  std::string out;
  ASSERT_EQ(
      Shell(Quote(SourceDir() + "/docker/kafka/kafka.sh") + " restart " + Quote(broker_dir_), &out),
      0);
}

}  // namespace rotor::kafka::testing

#include "events/codec.h"
#include "events/event_log.h"
#include "services/kafka/relay_checkpoint.h"

namespace rotor::kafka::testing {

void FillLog(EventLog& log, uint64_t events, size_t per_append, size_t streams) {
  const std::string fp(64, 'a');
  Time base = TimeFromMicros(int64_t{1793491200000000});
  for (uint64_t done = 0, n = 0; done < events; ++n) {
    AppendRequest request;
    std::string agent = "agent-" + std::to_string(n % streams);
    request.stream_id = agent;
    for (size_t i = 0; i < per_append && done < events; ++i, ++done) {
      Time at = base + std::chrono::seconds(done);
      request.events.push_back(MakeNewEvent(
          AgentInventoryReported{"r-" + std::to_string(done), agent, at, {fp}, "", "site", false},
          at, "agent:" + agent));
    }
    Result<AppendResult> appended = log.Append(std::move(request));
    ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  }
}

std::vector<uint32_t> SequenceCopies(const std::string& bootstrap, const std::string& topic,
                                     uint64_t max) {
  std::string out;
  EXPECT_EQ(Shell("kcat -C -q -e -o beginning -b " + Quote(bootstrap) + " -t " + Quote(topic) +
                      " -f '%h\\n'",
                  &out),
            0);
  std::vector<uint32_t> copies(max + 1, 0);
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    size_t at = line.find("rotor-sequence=");
    EXPECT_NE(at, std::string::npos) << line;
    if (at == std::string::npos) continue;
    uint64_t sequence = std::stoull(line.substr(at + 15));
    EXPECT_GE(sequence, 1u);
    EXPECT_LE(sequence, max);
    if (sequence >= 1 && sequence <= max) copies[sequence]++;
  }
  return copies;
}

int SpawnProcess(const std::string& binary, const std::vector<std::string>& args,
                 const std::string& log_path) {
  std::vector<std::string> argv_strings = {binary};
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

}  // namespace rotor::kafka::testing
