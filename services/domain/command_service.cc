#include "services/domain/command_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <unordered_set>

#include "events/codec.h"
#include "services/domain/decide.h"
#include "services/domain/refusals.h"

namespace rotor::domain {
namespace {

spdlog::logger& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = spdlog::default_logger()->clone("domain");
  return *logger;
}

AppendRequest MakeRequest(const Decision& decision, const StreamAppend& append,
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

}  // namespace

CommandService::CommandService(EventLog& log, Options options)
    : log_(log), options_(std::move(options)) {}

Result<CommandOutcome> CommandService::Execute(const Command& command) {
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
    Logger().debug("{} attempt {}: {}; deciding again", CommandName(command), attempt,
                   appended.message());
  }
  return Status::Conflict(std::string(CommandName(command)) + ": still conflicting after " +
                          std::to_string(options_.max_attempts) + " attempts");
}

Status CommandService::AppendDecision(const Decision& decision, CommandOutcome& outcome,
                                      std::string& duplicate_key) {
  for (const StreamAppend& append : decision.appends) {
    Result<AppendResult> result =
        log_.Append(MakeRequest(decision, append, state_.StreamVersion(append.stream_id)));
    if (!result.ok()) return result.status();
    if (result->duplicate) return DuplicateKey(append.idempotency_key, *result, duplicate_key);
    outcome.appended.push_back(AppendedStream{append.stream_id, *result, append.events});
  }
  return Status::Ok();
}

Status CommandService::DuplicateKey(const std::string& key, const AppendResult& result,
                                    std::string& duplicate_key) const {
  // Another append holds the key. Deciding again on the caught-up state
  // either changes the decision (a lost race) or not (a genuine clash).
  RecordedEvent holder;
  std::string where = log_.ReadOne(result.first_sequence, &holder).ok()
                          ? " by stream '" + holder.stream_id + "'"
                          : "";
  std::string message = "idempotency key '" + key + "' is already used" + where + " at sequence " +
                        std::to_string(result.first_sequence);
  if (duplicate_key == key) return Status::AlreadyExists(message);
  duplicate_key = key;
  return Status::Conflict(message);
}

std::vector<Result<CommandOutcome>> CommandService::ExecuteBatch(
    std::span<const Command> commands) {
  MutexLock lock(&mu_);
  const size_t n = commands.size();
  // A command is finished when `finished[c]`: with `errors[c]`, or else with
  // `outcomes[c]`.
  std::vector<char> finished(n, 0);
  std::vector<Status> errors(n);
  std::vector<CommandOutcome> outcomes(n);
  auto finish = [&](size_t c, Status error) {
    finished[c] = 1;
    errors[c] = std::move(error);
  };
  std::vector<std::string> duplicate_keys(n);
  std::vector<size_t> waiting(n);
  for (size_t i = 0; i < n; ++i) waiting[i] = i;

  // One round's decisions: requests[first..first+count) belong to command c.
  struct Taken {
    size_t command;
    Decision decision;
    size_t first;
    Status refusal;  // when the decision records a refused command: the command's answer
  };
  std::vector<Taken> taken;
  // When the round's appends are the only events since state_ (no other
  // writer came between), folds the decided events straight into state_
  // instead of reading them back; otherwise the next CatchUpLocked does.
  auto evolve_appended = [&](const std::vector<Taken>& round,
                             const std::vector<Result<AppendResult>>& appended) REQUIRES(mu_) {
    uint64_t next = state_.last_sequence + 1;
    for (const Result<AppendResult>& r : appended) {
      if (!r.ok() || r->duplicate) continue;
      if (r->first_sequence != next) return;
      next = r->last_sequence + 1;
    }
    for (const Taken& t : round) {
      for (size_t j = 0; j < t.decision.appends.size(); ++j) {
        const Result<AppendResult>& r = appended[t.first + j];
        if (!r.ok() || r->duplicate) continue;
        const StreamAppend& append = t.decision.appends[j];
        uint64_t version = r->stream_version - append.events.size();
        uint64_t sequence = r->first_sequence;
        for (const Event& event : append.events) {
          Evolve(state_,
                 EventMeta{sequence++, append.stream_id, ++version, t.decision.recorded_at,
                           t.decision.actor},
                 event);
        }
      }
    }
  };
  std::vector<AppendRequest> requests;
  std::unordered_set<std::string> claimed;
  std::vector<size_t> later;
  Status failure;
  while (!waiting.empty()) {
    failure = CatchUpLocked();
    if (!failure.ok()) break;
    taken.clear();
    requests.clear();
    claimed.clear();
    later.clear();
    bool unfinished_before = false;  // an earlier command of the batch is not done
    for (size_t c : waiting) {
      CommandOutcome& outcome = outcomes[c];
      if (outcome.attempts == options_.max_attempts) {
        finish(c, Status::Conflict(std::string(CommandName(commands[c])) +
                                   ": still conflicting after " +
                                   std::to_string(options_.max_attempts) + " attempts"));
        continue;
      }
      Result<Decision> decision = Decide(commands[c], state_);
      Status refusal = decision.status();
      std::optional<Decision> record;
      if (!refusal.ok() && !unfinished_before) record = RefusalRecord(commands[c], refusal);
      if (record.has_value()) {
        decision = std::move(*record);  // appended below; the command then answers `refusal`
      } else {
        refusal = Status::Ok();
      }
      bool final_answer = !decision.ok() || decision->IsEmpty();
      if (final_answer) {
        if (unfinished_before) {
          later.push_back(c);  // decide again once the commands before it are done
        } else if (!decision.ok()) {
          finish(c, decision.status());
        } else {
          ++outcome.attempts;
          finish(c, Status::Ok());
        }
        continue;
      }
      unfinished_before = true;
      bool free =
          std::none_of(decision->appends.begin(), decision->appends.end(),
                       [&](const StreamAppend& a) { return claimed.contains(a.stream_id); });
      if (!free) {
        later.push_back(c);
        continue;
      }
      ++outcome.attempts;
      if (options_.before_append) options_.before_append(outcome.attempts);
      size_t first = requests.size();
      for (const StreamAppend& append : decision->appends) {
        claimed.insert(append.stream_id);
        requests.push_back(MakeRequest(*decision, append, state_.StreamVersion(append.stream_id)));
      }
      taken.push_back(Taken{c, std::move(*decision), first, std::move(refusal)});
    }
    if (!requests.empty()) {
      std::vector<Result<AppendResult>> appended = log_.AppendEach(std::move(requests));
      requests = {};
      evolve_appended(taken, appended);
      for (Taken& t : taken) {
        CommandOutcome& outcome = outcomes[t.command];
        Status status;
        for (size_t j = 0; j < t.decision.appends.size(); ++j) {
          const StreamAppend& append = t.decision.appends[j];
          const Result<AppendResult>& result = appended[t.first + j];
          Status s = !result.ok() ? result.status()
                     : result->duplicate
                         ? DuplicateKey(append.idempotency_key, *result, duplicate_keys[t.command])
                         : Status::Ok();
          if (s.ok()) {
            outcome.appended.push_back(
                AppendedStream{append.stream_id, *result, std::move(t.decision.appends[j].events)});
          } else if (status.ok()) {
            status = s;  // the first failure decides; later appends still count
          }
        }
        if (status.ok()) {
          finish(t.command, t.refusal);
        } else if (status.code() == StatusCode::kConflict) {
          Logger().debug("{} attempt {} in a batch: {}; deciding again",
                         CommandName(commands[t.command]), outcome.attempts, status.message());
          later.push_back(t.command);
        } else {
          finish(t.command, status);
        }
      }
    }
    std::sort(later.begin(), later.end());
    waiting.swap(later);
  }
  if (failure.ok()) failure = CatchUpLocked();
  std::vector<Result<CommandOutcome>> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (finished[i] && errors[i].ok()) {
      out.emplace_back(std::move(outcomes[i]));
    } else {
      Status error = finished[i]    ? std::move(errors[i])
                     : failure.ok() ? Status::Internal("command was not executed")
                                    : failure;
      out.emplace_back(std::move(error));
    }
  }
  return out;
}

Status CommandService::CatchUp() {
  MutexLock lock(&mu_);
  return CatchUpLocked();
}

Status CommandService::Read(const std::function<void(const DomainState&)>& read) {
  MutexLock lock(&mu_);
  ROTOR_RETURN_IF_ERROR(CatchUpLocked());
  read(state_);
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
