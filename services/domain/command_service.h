// CommandService: the one loop that runs the rollout domain against an
// EventLog: catch up, decide, append with the expected version, and on a
// version conflict catch up and decide again.
//
// The service owns a DomainState kept caught up with the log: before each
// decision it folds in every event appended since (by this service, by other
// services, by other processes sharing the log). Each StreamAppend of the
// Decision is appended with ExpectedVersion::Exact(the stream's version in
// that state) and its idempotency key. A kConflict, or an idempotency key that
// another append already holds (AppendResult::duplicate), means the state was
// stale: the service catches up and decides again, at most
// Options::max_attempts times. A decision that spans several streams is not
// atomic across them; when a later append conflicts, the retry decides on a
// state that includes the earlier ones (deciders are idempotent), so the
// command completes with the remaining events.
//
// Thread safety: all methods are safe to call concurrently; one mutex
// serializes them. `log` must outlive the service.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "events/event_log.h"
#include "events/event_types.h"
#include "events/status.h"
#include "services/domain/commands.h"
#include "services/domain/decision.h"
#include "services/domain/state.h"

namespace rotor::domain {

struct AppendedStream {
  std::string stream_id;
  AppendResult result;
  std::vector<Event> events;
};

struct CommandOutcome {
  std::vector<AppendedStream> appended;  // empty: the command changed nothing
  int attempts = 0;                      // decisions made (1 without a conflict)

  bool IsNoOp() const { return appended.empty(); }
};

class CommandService {
 public:
  struct Options {
    int max_attempts = 8;
    // Called after each decision and before its appends, with the attempt
    // number (1-based). Lets tests make two services decide on the same state.
    std::function<void(int attempt)> before_append;
  };

  explicit CommandService(EventLog& log) : CommandService(log, Options()) {}
  CommandService(EventLog& log, Options options);
  CommandService(const CommandService&) = delete;
  CommandService& operator=(const CommandService&) = delete;

  // Executes `command`. Returns what it appended (nothing for a repeat).
  // Errors: the decider's error (kInvalidArgument, kNotFound, kAlreadyExists,
  // kFailedPrecondition; nothing appended by the deciding attempt);
  // kConflict when every attempt conflicted; kAlreadyExists when an
  // idempotency key stays held by a different append (e.g. a report_id reused
  // by another agent); kInvalidArgument or kCorruption when the log holds an
  // event this build cannot read; kIoError or kCancelled from the log.
  Result<CommandOutcome> Execute(const Command& command);

  // Folds events appended since the last fold. Errors: as Execute's log errors.
  Status CatchUp();

  // Catches up, then calls `read` with the state under the lock. `read` must
  // not call back into the service. Errors: as CatchUp.
  Status Read(const std::function<void(const DomainState&)>& read);

 private:
  Status CatchUpLocked();  // requires mu_
  // Appends each stream of `decision`; records successes in `outcome`.
  // Errors: kConflict (retry), other log errors.
  Status AppendDecision(const Decision& decision, CommandOutcome& outcome,
                        std::string& duplicate_key);

  EventLog& log_;
  const Options options_;
  std::mutex mu_;
  DomainState state_;  // guarded by mu_
};

}  // namespace rotor::domain
