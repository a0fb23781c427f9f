// The rotord child process of rotor-bench. See rotord_child.h.
#include "services/bench/rotord_child.h"

#include <fcntl.h>
#include <httplib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "services/bench/bench_util.h"

namespace rotor::bench {
namespace {

constexpr std::string_view kListening = "listening on ";

// The last `max` bytes of the file at `path`, for an error message.
std::string Tail(const std::string& path, size_t max = 2000) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  return s.size() > max ? s.substr(s.size() - max) : s;
}

// Forks and execs `argv`; the child's stdout goes to `out_fd`, its stderr to
// `log_path`. Returns the child's pid, or -1.
pid_t Spawn(std::vector<std::string> argv_strings, int out_fd, int other_fd,
            const std::string& log_path) {
  std::vector<char*> argv;
  argv.reserve(argv_strings.size() + 1);
  for (std::string& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec. rotord dies with
    // the benchmark (even a killed one), so no daemon outlives a run.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(out_fd, STDOUT_FILENO);
    int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) dup2(log, STDERR_FILENO);
    close(out_fd);
    close(other_fd);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

Result<std::unique_ptr<RotordChild>> RotordChild::Start(const std::string& binary,
                                                        const std::vector<std::string>& args,
                                                        const std::string& log_path) {
  std::vector<std::string> argv = {binary};
  argv.insert(argv.end(), args.begin(), args.end());
  int fds[2];
  if (pipe(fds) != 0) return Status::IoError(std::string("pipe: ") + std::strerror(errno));
  Stopwatch clock;
  pid_t pid = Spawn(argv, fds[1], fds[0], log_path);
  close(fds[1]);
  if (pid < 0) {
    close(fds[0]);
    return Status::IoError(std::string("fork: ") + std::strerror(errno));
  }
  auto child = std::unique_ptr<RotordChild>(new RotordChild());
  child->pid_ = pid;
  child->stdout_fd_ = fds[0];
  std::string line;
  char c = 0;
  while (read(child->stdout_fd_, &c, 1) == 1 && c != '\n') line.push_back(c);
  child->listen_s_ = clock.Seconds();
  if (line.rfind(kListening, 0) != 0) {
    child->Wait();
    return Status::IoError(binary + " did not start (stdout '" + line + "'); its log " + log_path +
                           " ends:\n" + Tail(log_path));
  }
  std::string url = line.substr(kListening.size());
  child->port_ = std::stoi(url.substr(url.rfind(':') + 1));
  httplib::Client health("127.0.0.1", child->port_);
  httplib::Result r = health.Get("/healthz");
  if (!r || r->status != 200) {
    return Status::Internal(
        "GET /healthz on " + url + ": " +
        (r ? std::to_string(r->status) + " " + r->body : httplib::to_string(r.error())));
  }
  child->ready_s_ = clock.Seconds();
  return child;
}

RotordChild::~RotordChild() {
  Kill();
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

int RotordChild::Wait() {
  int status = 0;
  if (waitpid(pid_, &status, 0) != pid_) status = -1;
  pid_ = -1;
  return status;
}

Status RotordChild::Terminate() {
  if (pid_ <= 0) return Status::Internal("rotord is not running");
  kill(pid_, SIGTERM);
  int status = Wait();
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::Ok();
  return Status::Internal("rotord did not exit 0 after SIGTERM (wait status " +
                          std::to_string(status) + ")");
}

void RotordChild::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  Wait();
}

Result<uint64_t> RotordChild::StatusBytes(std::string_view field) const {
  std::string path = "/proc/" + std::to_string(pid_) + "/status";
  std::ifstream in(path);
  if (!in) return Status::IoError("cannot read " + path);
  std::string prefix = std::string(field) + ":";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) return std::stoull(line.substr(prefix.size())) * 1024;
  }
  return Status::NotFound(path + " has no field " + std::string(field));
}

Result<double> RotordChild::CpuSeconds() const {
  std::string path = "/proc/" + std::to_string(pid_) + "/stat";
  std::ifstream in(path);
  std::string stat;
  if (!in || !std::getline(in, stat)) return Status::IoError("cannot read " + path);
  // Fields after the command's closing parenthesis: state is field 3,
  // utime and stime are fields 14 and 15.
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return Status::IoError("cannot parse " + path);
  std::istringstream fields(stat.substr(close + 1));
  std::string field;
  uint64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  if (!fields) return Status::IoError("cannot parse " + path);
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

Result<double> RotordChild::WaitUntilIdle(double share, std::chrono::milliseconds window,
                                          std::chrono::seconds timeout) const {
  const auto start = std::chrono::steady_clock::now();
  Result<double> before = CpuSeconds();
  if (!before.ok()) return before.status();
  int quiet_windows = 0;
  while (quiet_windows < 2 && std::chrono::steady_clock::now() - start < timeout) {
    std::this_thread::sleep_for(window);
    Result<double> now = CpuSeconds();
    if (!now.ok()) return now.status();
    double busy = (*now - *before) / std::chrono::duration<double>(window).count();
    quiet_windows = busy < share ? quiet_windows + 1 : 0;
    before = now;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string RotordBesideSelf() {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return (ec ? std::filesystem::path(".") : self.parent_path()).string() + "/rotord";
}

uint64_t WalBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec) && entry.path().extension() == ".log") {
      total += entry.file_size(ec);
    }
  }
  return total;
}

}  // namespace rotor::bench
