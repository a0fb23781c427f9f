// rotorctl's subcommands, registered on the CLI11 app by area. Each
// subcommand maps to one route of docs/api.md (a few compose two: `replace
// --new FILE` registers the file first). When CLI11 selects a subcommand its
// callback stores the action to run in `action`; main runs it after parsing
// and returns its exit code. Commands print the API's JSON with --json and
// text otherwise; every failure goes through Session::Fail*.
// Single-threaded.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>

#include "services/rotorctl/session.h"

namespace rotor::ctl {

using Action = std::function<int()>;

// cert register, replace, stage, switch-bindings, finalize, cancel, and the
// renewal commands below.
void AddRolloutCommands(CLI::App& app, Session& session, Action& action);
// renew, record-renewed, csr, revoke.
void AddRenewalCommands(CLI::App& app, Session& session, Action& action);
// delete-agent, gateway set/refresh, report, ingest, sweep, clock set.
void AddFleetCommands(CLI::App& app, Session& session, Action& action);
// status, rollouts, stale, agents, certificates, timeline.
void AddQueryCommands(CLI::App& app, Session& session, Action& action);
// events, export, verify, replay.
void AddAuditCommands(CLI::App& app, Session& session, Action& action);
// token create (works on the tokens file alone; commands_tokens.cc).
void AddTokenCommands(CLI::App& app, Action& action);
// keys init, checkpoint, prove (docs/audit.md).
void AddProofCommands(CLI::App& app, Session& session, Action& action);

// Prints a command's reply: indented JSON with --json, otherwise `text`
// followed by what was appended ("appended 3 events (sequences 10-12)" or
// "nothing changed: it was done already"). Returns the session's exit code.
int PrintCommandReply(Session& session, const std::optional<json>& reply, const std::string& text);

// Follows a rollout's progress live until it is ready (or ended when
// `until_ended`); `rollout_id` empty follows every rollout until
// interrupted. Draws a bar in place on a terminal, a line per change
// otherwise. Returns an exit code.
int FollowProgress(Session& session, const std::string& rollout_id, bool until_ended);

// --as-of / --from parsing: true when `text` is all digits.
bool IsSequence(const std::string& text);

}  // namespace rotor::ctl
