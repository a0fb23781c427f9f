// Session: what one rotorctl invocation shares between its commands — the
// global options, the transport (opened on first use: HTTP to --server, or
// the data directory of --data), output mode, and the exit code of the first
// failure. Every error goes through Fail*, which prints exactly one line,
// "rotorctl: <problem>", to stderr and returns the documented exit code
// (docs/cli.md):
//   0 ok, 1 usage (bad command line or local input), 2 refused by the server
//   (a 4xx answer), 3 server or I/O error (5xx, unreachable, local I/O),
//   4 verify found the hash chain broken.
//
// Ownership: owns the transport. Thread safety: single-threaded (one
// command per process), except that Watch callbacks run on the caller's
// thread too.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "services/client/transport.h"

namespace rotor::ctl {

using nlohmann::json;

enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 1,
  kExitRefused = 2,
  kExitError = 3,
  kExitVerifyFailed = 4,
};

struct GlobalOptions {
  std::string server;  // --server or $ROTOR_SERVER
  std::string token;   // --token or $ROTOR_TOKEN
  std::string token_file;
  std::string ca_file;  // --ca-file or $ROTOR_CA_FILE
  std::string client_cert_file;
  std::string client_key_file;
  std::string data_dir;  // --data: open the directory in-process
  bool json = false;     // --json: print the API's JSON instead of text
};

class Session {
 public:
  explicit Session(GlobalOptions options) : options_(std::move(options)) {}

  const GlobalOptions& options() const { return options_; }
  bool json_output() const { return options_.json; }

  // The transport, opened on first use. nullptr after printing the error
  // (usage when the options are wrong, I/O when the data directory cannot
  // be opened); exit_code() then says which.
  client::Transport* transport();

  // Sends a request and parses the JSON reply. On a non-2xx answer or a
  // transport error prints the one-line error and returns nullopt.
  std::optional<json> Request(std::string method, const std::string& path,
                              const json& body = nullptr,
                              std::map<std::string, std::string> query = {});
  // As Request, without parsing the body (binary or text routes).
  std::optional<app::ApiResponse> RequestRaw(std::string method, std::string path,
                                             std::string body = {},
                                             std::map<std::string, std::string> query = {});

  // Print "rotorctl: <message>" and return (and remember) the exit code.
  int Fail(int exit_code, std::string_view message);
  int FailUsage(std::string_view message) { return Fail(kExitUsage, message); }
  // A transport or local error: kInvalidArgument is usage, the rest exit 3.
  int FailStatus(const Status& status);
  // A non-2xx answer: 4xx exit 2, otherwise 3.
  int FailResponse(const app::ApiResponse& response);

  // The exit code of the first failure (kExitOk when none).
  int exit_code() const { return exit_code_; }

  // Prints `value` as indented JSON on stdout.
  static void PrintJson(const json& value);

 private:
  GlobalOptions options_;
  std::unique_ptr<client::Transport> transport_;
  bool open_failed_ = false;
  int exit_code_ = kExitOk;
};

// Reads a whole file, or stdin for "-". Errors: kIoError naming the file.
Result<std::string> ReadInput(const std::string& path);

// Makes `text` one line: newlines become spaces.
std::string OneLine(std::string_view text);

}  // namespace rotor::ctl
