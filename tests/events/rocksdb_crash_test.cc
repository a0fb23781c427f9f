// Durability under SIGKILL. A child process (this binary, re-executed with
// kCrashChildFlag) appends from several threads, so that appenders share group
// commits, and reports every append that returned success over a pipe. The
// parent kills it with SIGKILL after a random number of reports, reopens the
// log and checks that every reported event is there with the expected stream,
// version and payload, that the sequence is contiguous from 1, and that the
// hash chain verifies. Rounds reuse one directory, so each round also recovers
// from the previous crash.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "events/rocksdb_event_log.h"
#include "tests/events/crash_child.h"
#include "tests/events/event_log_test_util.h"
#include "tests/events/recovered_log.h"
#include "tests/testing/temp_dir.h"

namespace rotor::testing {

namespace {

constexpr int kChildThreads = 4;
constexpr int kRounds = 20;

[[noreturn]] void ChildFail(const std::string& what) {
  std::fprintf(stderr, "crash child: %s\n", what.c_str());
  std::_Exit(3);
}

void AppendForever(RocksDbEventLog* log, int fd, uint64_t thread) {
  std::string stream = CrashStream(thread);
  auto version = log->StreamVersion(stream);
  if (!version.ok()) ChildFail(version.status().ToString());
  uint64_t v = *version;
  for (;;) {
    auto r = log->Append(CrashAppend(stream, v));
    if (!r.ok()) ChildFail(r.status().ToString());
    v = r->stream_version;
    CrashReport report{r->first_sequence, r->last_sequence, r->stream_version, thread};
    if (write(fd, &report, sizeof(report)) != static_cast<ssize_t>(sizeof(report))) {
      ChildFail(std::string("write to pipe: ") + std::strerror(errno));
    }
  }
}

// Reads whole reports from `fd` into `out` until `target` reports arrived
// (target 0: until end of file). Returns false on a timeout or read error.
bool ReadReports(int fd, size_t target, std::string* carry, std::vector<CrashReport>* out) {
  char buf[4096];
  while (target == 0 || out->size() < target) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 30000) <= 0) return false;
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return target == 0;
    carry->append(buf, static_cast<size_t>(n));
    size_t whole = carry->size() / sizeof(CrashReport);
    for (size_t i = 0; i < whole; ++i) {
      CrashReport r;
      std::memcpy(&r, carry->data() + i * sizeof(CrashReport), sizeof(r));
      out->push_back(r);
    }
    carry->erase(0, whole * sizeof(CrashReport));
  }
  return true;
}

// Starts the child appending to the log in `dir`; returns its pid and the read end of the pipe.
pid_t StartChild(const std::string& dir, int* read_fd) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return -1;
  std::string fd_text = std::to_string(fds[1]);
  std::string threads_text = std::to_string(kChildThreads);
  std::vector<char*> argv = {const_cast<char*>("rotor_events_test"),
                             const_cast<char*>(kCrashChildFlag),
                             const_cast<char*>(dir.c_str()),
                             fd_text.data(),
                             threads_text.data(),
                             nullptr};
  pid_t pid = fork();
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    fcntl(fds[1], F_SETFD, 0);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  close(fds[1]);
  *read_fd = fds[0];
  return pid;
}

// Checks the recovered log against the reports of the round.
void CheckRecovered(const std::string& dir, uint64_t head_before,
                    const std::vector<CrashReport>& reports) {
  auto opened = RocksDbEventLog::Open(dir);
  ASSERT_OK(opened);
  CheckRecoveredLog(**opened, head_before, reports);
}

uint64_t HeadOf(const std::string& dir) {
  auto log = RocksDbEventLog::Open(dir);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? (*log)->Head() : 0;
}

}  // namespace

int CrashChildMain(int argc, char** argv) {
  if (argc != 5) ChildFail("usage: <binary> " + std::string(kCrashChildFlag) + " dir fd threads");
  int fd = std::atoi(argv[3]);
  int threads = std::atoi(argv[4]);
  auto log = RocksDbEventLog::Open(argv[2]);
  if (!log.ok()) ChildFail(log.status().ToString());
  std::vector<std::thread> appenders;
  for (int t = 0; t < threads; ++t) {
    appenders.emplace_back(AppendForever, log->get(), fd, static_cast<uint64_t>(t));
  }
  for (std::thread& t : appenders) t.join();  // never: the parent kills us
  return 4;
}

namespace {

TEST(RocksDbCrashTest, AppendsThatReturnedSuccessSurviveSigkill) {
  TempDir dir;
  std::string path = dir.Sub("log");
  std::random_device device;
  unsigned seed = device();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::uniform_int_distribution<size_t> kill_after(50, 1500);
  size_t total_reports = 0;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    uint64_t head_before = round == 0 ? 0 : HeadOf(path);
    int fd = -1;
    pid_t pid = StartChild(path, &fd);
    ASSERT_GT(pid, 0) << std::strerror(errno);
    size_t target = kill_after(rng);
    std::vector<CrashReport> reports;
    std::string carry;
    bool got = ReadReports(fd, target, &carry, &reports);
    kill(pid, SIGKILL);
    // Appends reported before the kill landed are successes too: drain them.
    bool drained = ReadReports(fd, 0, &carry, &reports);
    close(fd);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(got) << "the child stopped reporting after " << reports.size() << " appends";
    ASSERT_TRUE(drained);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the child exited on its own, status " << status;
    ASSERT_TRUE(carry.empty()) << "a torn report";
    ASSERT_GE(reports.size(), target);
    total_reports += reports.size();
    CheckRecovered(path, head_before, reports);
    if (HasFatalFailure() || HasFailure()) return;
  }
  RecordProperty("reported_appends", static_cast<int>(total_reports));
}

}  // namespace
}  // namespace rotor::testing
