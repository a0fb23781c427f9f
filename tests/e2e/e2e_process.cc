// Process helpers for the end-to-end tests. See e2e_process.h.
#include "tests/e2e/e2e_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <tuple>

#include "services/http/tokens.h"

namespace rotor::testing {
namespace {

using Clock = std::chrono::steady_clock;

int DecodeWait(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Waits for `pid` until `deadline`; kills it after. Returns its exit code.
int WaitUntil(pid_t pid, Clock::time_point deadline) {
  int status = 0;
  while (true) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return DecodeWait(status);
    if (r < 0 && errno != EINTR) return -1;
    if (Clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      ADD_FAILURE() << "process " << pid << " did not exit in time; killed";
      return DecodeWait(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::vector<char*> Argv(const std::string& path, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(path.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

}  // namespace

std::string BinPath(const std::string& name) { return std::string(ROTOR_BIN_DIR) + "/" + name; }

bool ToolResult::OneLineError() const {
  return !err.empty() && err.back() == '\n' && err.find('\n') == err.size() - 1;
}

ToolResult RunTool(const std::string& binary, const std::vector<std::string>& args,
                   const std::string& input, const std::map<std::string, std::string>& env,
                   std::chrono::seconds timeout) {
  // Close-on-exec: a tool started at the same time from another thread must
  // not inherit this one's pipes (it would hold their write ends open, and
  // the reads below would wait for it to exit). dup2 clears the flag on 0-2.
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe: " << std::strerror(errno);
    return {};
  }
  const std::string path = BinPath(binary);
  std::vector<char*> argv = Argv(path, args);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
    for (const auto& [key, value] : env) setenv(key.c_str(), value.c_str(), 1);
    execv(path.c_str(), argv.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  ToolResult result;
  size_t written = 0;
  int stdin_fd = in[1];
  if (input.empty()) {
    close(stdin_fd);
    stdin_fd = -1;
  } else {
    fcntl(stdin_fd, F_SETFL, O_NONBLOCK);
  }
  const Clock::time_point deadline = Clock::now() + timeout;
  bool out_open = true, err_open = true;
  char buf[65536];
  while ((out_open || err_open) && Clock::now() < deadline) {
    pollfd fds[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {stdin_fd, POLLOUT, 0}};
    if (!out_open) fds[0].fd = -1;
    if (!err_open) fds[1].fd = -1;
    if (poll(fds, 3, 100) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        ssize_t n = read(fds[i].fd, buf, sizeof buf);
        if (n > 0) {
          (i == 0 ? result.out : result.err).append(buf, n);
        } else if (n == 0 || errno != EINTR) {
          (i == 0 ? out_open : err_open) = false;
        }
      }
    }
    if (stdin_fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n = write(stdin_fd, input.data() + written, input.size() - written);
      if (n > 0) written += n;
      if (n < 0 || written == input.size()) {
        close(stdin_fd);
        stdin_fd = -1;
      }
    }
  }
  if (stdin_fd >= 0) close(stdin_fd);
  close(out[0]);
  close(err[0]);
  result.exit_code = WaitUntil(pid, deadline);
  return result;
}

void WriteTokensFile(const std::string& path) {
  std::string text = "# e2e tokens\n";
  for (const auto& [secret, name, role] : {std::tuple{kAdminToken, "alice", app::Role::kAdmin},
                                           {kOperatorToken, "oscar", app::Role::kOperator},
                                           {kAuditorToken, "audrey", app::Role::kAuditor},
                                           {kIngestToken, "agent-feed", app::Role::kIngest}}) {
    Result<std::string> line = http::TokenStore::MakeLine(secret, name, role, "");
    ASSERT_TRUE(line.ok()) << line.status().ToString();
    text += *line;
  }
  WriteFile(path, text);
}

Rotord::Rotord(const std::string& data_dir, const std::string& tokens_file,
               std::vector<std::string> extra_args) {
  const std::string port_file = data_dir + ".port";
  log_path_ = data_dir + ".log";
  unlink(port_file.c_str());
  std::vector<std::string> args = {"--data",      data_dir,      "--listen",
                                   "127.0.0.1:0", "--port-file", port_file,
                                   "--tokens",    tokens_file,   "--virtual-clock"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  const std::string path = BinPath("rotord");
  std::vector<char*> argv = Argv(path, args);
  pid_ = fork();
  if (pid_ == 0) {
    int log = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(log, 1);
    dup2(log, 2);
    execv(path.c_str(), argv.data());
    _exit(127);
  }
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      ADD_FAILURE() << "rotord exited with " << DecodeWait(status) << ": " << ReadFile(log_path_);
      pid_ = -1;
      return;
    }
    std::string url = ReadFile(port_file);
    if (!url.empty() && url.back() == '\n') {
      url.pop_back();
      httplib::Client client(url);
      client.set_connection_timeout(std::chrono::seconds(2));
      auto r = client.Get("/healthz");
      if (r && r->status == 200) {
        url_ = url;
        return;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "rotord did not come up within 60s: " << ReadFile(log_path_);
  Stop();
}

Rotord::~Rotord() { Stop(); }

int Rotord::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int code = WaitUntil(pid_, Clock::now() + std::chrono::seconds(60));
  pid_ = -1;
  return code;
}

}  // namespace rotor::testing
