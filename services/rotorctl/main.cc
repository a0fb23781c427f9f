// rotorctl: the command-line client of Rotor. Talks to a running rotord
// (--server URL --token T) or opens a data directory in-process (--data DIR)
// with the same commands; see docs/cli.md for commands and exit codes.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "services/rotorctl/commands.h"
#include "services/rotorctl/session.h"

namespace rotor::ctl {
namespace {

void AddGlobalOptions(CLI::App& app, GlobalOptions& o) {
  // The environment is read after parsing (ApplyEnvironment), so that --data
  // is not in conflict with a ROTOR_SERVER left in the environment.
  app.add_option("--server", o.server, "rotord's URL, http(s)://HOST:PORT (or $ROTOR_SERVER)");
  app.add_option("--token", o.token, "bearer token (or $ROTOR_TOKEN)");
  app.add_option("--token-file", o.token_file,
                 "file holding the bearer token (or $ROTOR_TOKEN_FILE)");
  app.add_option("--ca-file", o.ca_file, "HTTPS: CA certificate (PEM) that signed the server's")
      ->envname("ROTOR_CA_FILE");
  app.add_option("--client-cert", o.client_cert_file, "HTTPS: client certificate (PEM)");
  app.add_option("--client-key", o.client_key_file, "HTTPS: client private key (PEM)");
  app.add_option("--data", o.data_dir,
                 "open this data directory in-process instead of talking to a server "
                 "(rotord must not be running on it)");
  app.add_flag("--json", o.json, "print the API's JSON instead of text");
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// Without --data, fills what the command line left empty from ROTOR_SERVER,
// ROTOR_TOKEN and ROTOR_TOKEN_FILE.
void ApplyEnvironment(GlobalOptions& o) {
  if (!o.data_dir.empty()) return;
  if (o.server.empty()) o.server = Env("ROTOR_SERVER");
  if (o.token.empty() && o.token_file.empty()) {
    o.token = Env("ROTOR_TOKEN");
    if (o.token.empty()) o.token_file = Env("ROTOR_TOKEN_FILE");
  }
}

// The in-process engine logs through spdlog; rotorctl's output is its own
// (one-line errors, JSON on stdout), so logs are off unless ROTOR_LOG_LEVEL
// asks for them (on stderr).
void SetUpLogging() {
  spdlog::set_default_logger(spdlog::stderr_color_mt("rotorctl"));
  std::string level = Env("ROTOR_LOG_LEVEL");
  spdlog::set_level(level.empty() ? spdlog::level::off : spdlog::level::from_str(level));
}

int Main(int argc, char** argv) {
  SetUpLogging();
  CLI::App app{"rotorctl: replace, renew and revoke certificates across a fleet with Rotor",
               "rotorctl"};
  app.fallthrough();
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok, 1 usage, 2 refused by the server (4xx), 3 server or I/O error, "
      "4 verify failed. See docs/cli.md.");
  GlobalOptions options;
  AddGlobalOptions(app, options);
  Session session(GlobalOptions{});
  Action action;
  AddRolloutCommands(app, session, action);
  AddFleetCommands(app, session, action);
  AddQueryCommands(app, session, action);
  AddAuditCommands(app, session, action);
  AddTokenCommands(app, action);
  AddProofCommands(app, session, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string problem = e.what();
    std::vector<std::string> rest = app.remaining();
    if (!rest.empty() && dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
      problem = "unknown command or argument '" + rest.front() + "'";
    }
    std::fprintf(stderr, "rotorctl: %s (see rotorctl --help)\n", OneLine(problem).c_str());
    return kExitUsage;
  }
  ApplyEnvironment(options);
  session = Session(options);
  if (!action) {
    std::fprintf(stderr, "rotorctl: choose a command (see rotorctl --help)\n");
    return kExitUsage;
  }
  return action();
}

}  // namespace
}  // namespace rotor::ctl

int main(int argc, char** argv) { return rotor::ctl::Main(argc, argv); }
