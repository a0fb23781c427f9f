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
// command completes with the remaining events. An idempotency key held by an
// earlier append to the same stream means the command was carried out before
// (e.g. a report delivered twice): that append is skipped as a repeat.
//
// Thread safety: all methods are safe to call concurrently; one mutex
// serializes them, except that ExecuteBatch lets go of it while a round's
// events are written, so that another caller's batch is decided meanwhile
// (pipelined ingest: services/kafka/report_consumer.h). `log` must outlive
// the service.
#pragma once

#include <atomic>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "base/thread_annotations.h"
#include "events/event_log.h"
#include "events/event_types.h"
#include "services/domain/commands.h"
#include "services/domain/decision.h"
#include "services/domain/state.h"
#include "services/domain/state_encoder.h"

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
  // kFailedPrecondition; nothing appended by the deciding attempt, except
  // the CommandRefused record of a refused lifecycle command, refusals.h,
  // which is durable when the refusal is returned);
  // kConflict when every attempt conflicted; kAlreadyExists when an
  // idempotency key stays held by a different append (e.g. a report_id reused
  // by another agent); kInvalidArgument or kCorruption when the log holds an
  // event this build cannot read; kIoError or kCancelled from the log.
  Result<CommandOutcome> Execute(const Command& command) EXCLUDES(mu_);

  // Executes `commands` as Execute would, returning one result per command
  // in order, with one durable write per round instead of one per command
  // (EventLog::AppendEach). A round decides every waiting command on the same
  // caught-up state and appends the decisions whose streams no earlier
  // command of the round writes. A command waits for a later round when it
  // writes a stream already taken in this round (so the commands of one
  // stream run in order, each deciding on the ones before it), or when its
  // decision is an error or a no-op while an earlier command of the batch is
  // unfinished (so it is refused or skipped only on a state that includes
  // every command before it). Commands on disjoint streams are decided as if
  // two services ran them concurrently. A conflict is retried in a later
  // round, at most Options::max_attempts times per command. Errors per
  // command: as Execute; a log error that ends a round is the result of
  // every command not yet finished.
  std::vector<Result<CommandOutcome>> ExecuteBatch(std::span<const Command> commands) EXCLUDES(mu_);

  // Folds events appended since the last fold. Errors: as Execute's log errors.
  Status CatchUp() EXCLUDES(mu_);

  // Catches up, then calls `read` with the state under the lock. `read` must
  // not call back into the service. Errors: as CatchUp.
  Status Read(const std::function<void(const DomainState&)>& read) EXCLUDES(mu_);

  // Replaces the state with `state` (a snapshot folded up to its
  // last_sequence, verified against the log by the caller); later catch-ups
  // fold from there. For start-up, before the first command.
  void Restore(DomainState state) EXCLUDES(mu_);

  // Encodes the state for a snapshot (state_codec.h) with `encoder`, taking
  // the lock for one piece at a time (state_encoder.h), so commands wait for
  // at most one piece rather than for the whole fleet; catches up first. On
  // return the encoder holds the encoding at encoder.sequence(). Errors: as
  // CatchUp (the encoding is then abandoned).
  Status EncodeSnapshot(StateEncoder& encoder) EXCLUDES(mu_);

 private:
  class Batch;  // one ExecuteBatch call (command_batch.cc)

  Status CatchUpLocked() REQUIRES(mu_);
  // Appends each stream of `decision`; records successes in `outcome`.
  // Errors: kConflict (retry), other log errors.
  Status AppendDecision(const Decision& decision, CommandOutcome& outcome,
                        std::string& duplicate_key) REQUIRES(mu_);
  // What a duplicate idempotency key means for a command that appended
  // `append`: OK with *repeat set when an earlier append to the same stream
  // holds the key (the command was carried out before: a repeat, nothing to
  // append); else kConflict the first time (decide again), kAlreadyExists
  // when the previous attempt found the same key held (`duplicate_key`, updated).
  Status DuplicateKey(const StreamAppend& append, const AppendResult& result,
                      std::string& duplicate_key, bool* repeat) const;

  // Counts a caller of a locking method from before it waits for the lock
  // until it returns (EncodeSnapshot lets them go first).
  class InFlight {
   public:
    explicit InFlight(std::atomic<int>& n) : n_(n) { n_.fetch_add(1, std::memory_order_relaxed); }
    ~InFlight() { n_.fetch_sub(1, std::memory_order_relaxed); }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

   private:
    std::atomic<int>& n_;
  };

  EventLog& log_;
  const Options options_;
  std::atomic<int> in_flight_{0};
  Mutex mu_;
  DomainState state_ GUARDED_BY(mu_);
  // ExecuteBatch appends a round without mu_ (command_batch.cc): each round
  // takes a turn before it lets go of mu_, and folds its events once the
  // rounds of the turns before it have folded theirs.
  uint64_t next_turn_ GUARDED_BY(mu_) = 0;
  uint64_t folded_turn_ GUARDED_BY(mu_) = 0;
  CondVar turn_folded_;
};

}  // namespace rotor::domain
