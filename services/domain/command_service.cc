#include "services/domain/command_service.h"

#include <spdlog/spdlog.h>

#include <optional>
#include <thread>

#include "events/codec.h"
#include "services/domain/command_service_internal.h"
#include "services/domain/decide.h"
#include "services/domain/refusals.h"

namespace rotor::domain {

spdlog::logger& CommandServiceLogger() {
  static const std::shared_ptr<spdlog::logger> logger = spdlog::default_logger()->clone("domain");
  return *logger;
}

AppendRequest MakeAppendRequest(const Decision& decision, const StreamAppend& append,
                                uint64_t expected_version) {
  AppendRequest request;
  request.stream_id = append.stream_id;
  request.expected = ExpectedVersion::Exact(expected_version);
  request.idempotency_key = append.idempotency_key;
  request.events.reserve(append.events.size());
  for (const Event& event : append.events) {
    request.events.push_back(MakeNewEvent(event, decision.recorded_at, decision.actor));
  }
  return request;
}

CommandService::CommandService(EventLog& log, Options options)
    : log_(log), options_(std::move(options)) {}

Result<CommandOutcome> CommandService::Execute(const Command& command) {
  InFlight in_flight(in_flight_);
  MutexLock lock(&mu_);
  CommandOutcome outcome;
  std::string duplicate_key;  // the key a previous attempt found held by another append
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    outcome.attempts = attempt;
    ROTOR_RETURN_IF_ERROR(CatchUpLocked());
    Result<Decision> decision = Decide(command, state_);
    // A refusal that is recorded (refusals.h) appends its record, then answers the refusal.
    Status refusal = decision.status();
    if (!refusal.ok()) {
      std::optional<Decision> record = RefusalRecord(command, refusal);
      if (!record.has_value()) return refusal;
      decision = std::move(*record);
    }
    if (options_.before_append) options_.before_append(attempt);
    Status appended = AppendDecision(*decision, outcome, duplicate_key);
    if (appended.ok()) {
      ROTOR_RETURN_IF_ERROR(CatchUpLocked());
      if (!refusal.ok()) return refusal;
      return outcome;
    }
    if (appended.code() != StatusCode::kConflict) return appended;
    CommandServiceLogger().debug("{} attempt {}: {}; deciding again", CommandName(command), attempt,
                                 appended.message());
  }
  return Status::Conflict(std::string(CommandName(command)) + ": still conflicting after " +
                          std::to_string(options_.max_attempts) + " attempts");
}

Status CommandService::AppendDecision(const Decision& decision, CommandOutcome& outcome,
                                      std::string& duplicate_key) {
  for (const StreamAppend& append : decision.appends) {
    Result<AppendResult> result =
        log_.Append(MakeAppendRequest(decision, append, state_.StreamVersion(append.stream_id)));
    if (!result.ok()) return result.status();
    if (result->duplicate) {
      bool repeat = false;
      ROTOR_RETURN_IF_ERROR(DuplicateKey(append, *result, duplicate_key, &repeat));
      continue;  // a repeat: carried out before
    }
    outcome.appended.push_back(AppendedStream{append.stream_id, *result, append.events});
  }
  return Status::Ok();
}

Status CommandService::DuplicateKey(const StreamAppend& append, const AppendResult& result,
                                    std::string& duplicate_key, bool* repeat) const {
  // Another append holds the key. On the same stream, the command was
  // carried out before. Otherwise, deciding again on the caught-up state
  // either changes the decision (a lost race) or not (a genuine clash).
  const std::string& key = append.idempotency_key;
  RecordedEvent holder;
  bool read = log_.ReadOne(result.first_sequence, &holder).ok();
  *repeat = read && holder.stream_id == append.stream_id;
  if (*repeat) return Status::Ok();
  std::string where = read ? " by stream '" + holder.stream_id + "'" : "";
  std::string message = "idempotency key '" + key + "' is already used" + where + " at sequence " +
                        std::to_string(result.first_sequence);
  if (duplicate_key == key) return Status::AlreadyExists(message);
  duplicate_key = key;
  return Status::Conflict(message);
}

Status CommandService::CatchUp() {
  InFlight in_flight(in_flight_);
  MutexLock lock(&mu_);
  return CatchUpLocked();
}

Status CommandService::Read(const std::function<void(const DomainState&)>& read) {
  InFlight in_flight(in_flight_);
  MutexLock lock(&mu_);
  ROTOR_RETURN_IF_ERROR(CatchUpLocked());
  read(state_);
  return Status::Ok();
}

void CommandService::Restore(DomainState state) {
  MutexLock lock(&mu_);
  state_ = std::move(state);
}

Status CommandService::EncodeSnapshot(StateEncoder& encoder) {
  // At most this many yields before each piece while callers are in flight.
  constexpr int kYieldsPerPiece = 64;
  ROTOR_RETURN_IF_ERROR(CatchUp());
  for (bool done = false; !done;) {
    // Callers waiting for the lock go first: a command waits for at most one piece.
    for (int i = 0; i < kYieldsPerPiece && in_flight_.load(std::memory_order_relaxed) > 0; ++i) {
      std::this_thread::yield();
    }
    MutexLock lock(&mu_);
    done = encoder.Step(state_, &state_.changed);
  }
  return Status::Ok();
}

Status CommandService::CatchUpLocked() {
  Status decoded;
  Status scanned =
      log_.ForEach(state_.last_sequence + 1, [&](const RecordedEvent& record) REQUIRES(mu_) {
        Result<Event> event = DecodeEvent(record);
        if (!event.ok()) {
          decoded = event.status();
          return false;
        }
        Evolve(state_,
               EventMeta{record.sequence, record.stream_id, record.stream_version,
                         record.recorded_at, record.actor},
               *event);
        return true;
      });
  ROTOR_RETURN_IF_ERROR(scanned);
  return decoded;
}

}  // namespace rotor::domain
