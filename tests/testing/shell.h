// Runs a shell command to its end for tests: its exit code and everything it
// wrote to stdout (add "2>&1" to the command for stderr). Test-only.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace rotor::testing {

struct ShellResult {
  int exit_code = -1;  // -1 when it could not run or was killed by a signal
  std::string output;
};

inline ShellResult RunShell(const std::string& command) {
  ShellResult result;
  std::FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0;) {
    result.output.append(buffer, n);
  }
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace rotor::testing
