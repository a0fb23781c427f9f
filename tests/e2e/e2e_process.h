// End-to-end test helpers: real processes on an ephemeral loopback port.
// Rotord starts build/bin/rotord on --listen 127.0.0.1:0 and waits, with a
// bounded deadline, for its --port-file and GET /healthz; RunTool runs
// rotorctl or rotor-sim and captures exit code, stdout and stderr. Nothing
// sleeps for correctness: waits poll a condition until a deadline.
// Test-only; not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "tests/testing/files.h"

namespace rotor::testing {

// build/bin, where every binary lands (ROTOR_BIN_DIR from CMake).
std::string BinPath(const std::string& name);

struct ToolResult {
  int exit_code = -1;  // 128 + signal when killed by one
  std::string out;
  std::string err;
  // stderr without its final newline, and whether it is exactly one line.
  bool OneLineError() const;
};

// Runs `binary` (a name in build/bin) with `args`, feeding `input` on stdin.
// `env` entries are added to the environment. Kills it after `timeout`.
ToolResult RunTool(const std::string& binary, const std::vector<std::string>& args,
                   const std::string& input = {},
                   const std::map<std::string, std::string>& env = {},
                   std::chrono::seconds timeout = std::chrono::seconds(600));

// Tokens every e2e test uses, one per role.
inline constexpr char kAdminToken[] = "admin-token-e2e";
inline constexpr char kOperatorToken[] = "operator-token-e2e";
inline constexpr char kAuditorToken[] = "auditor-token-e2e";
inline constexpr char kIngestToken[] = "ingest-token-e2e";
// Writes a tokens file holding the digests of the four tokens above (names
// alice, oscar, audrey, agent-feed; roles admin, operator, auditor, ingest).
void WriteTokensFile(const std::string& path);

class Rotord {
 public:
  // Starts rotord on `data_dir` with --virtual-clock and the tokens file,
  // on an ephemeral port. Fails the test (ADD_FAILURE) when it does not come
  // up within 60 seconds.
  Rotord(const std::string& data_dir, const std::string& tokens_file,
         std::vector<std::string> extra_args = {});
  ~Rotord();  // Stop()
  Rotord(const Rotord&) = delete;
  Rotord& operator=(const Rotord&) = delete;

  // "http://127.0.0.1:PORT"; empty when it did not start.
  const std::string& url() const { return url_; }
  bool running() const { return pid_ > 0; }
  // SIGTERM and wait (bounded); returns the exit code.
  int Stop();

 private:
  pid_t pid_ = -1;
  std::string url_;
  std::string log_path_;
};

}  // namespace rotor::testing
