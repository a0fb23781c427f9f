// CommandService::ExecuteBatch: decides a batch of commands against one state
// and appends their decisions in rounds, one AppendEach per round. See
// command_service.h for the contract.
#include <algorithm>
#include <optional>
#include <unordered_set>

#include "services/domain/command_service.h"
#include "services/domain/command_service_internal.h"
#include "services/domain/decide.h"
#include "services/domain/refusals.h"

namespace rotor::domain {

// One ExecuteBatch call. Runs with the service's mu_ held.
class CommandService::Batch {
 public:
  Batch(CommandService& service, std::span<const Command> commands)
      : s_(service),
        commands_(commands),
        finished_(commands.size(), 0),
        errors_(commands.size()),
        outcomes_(commands.size()),
        duplicate_keys_(commands.size()) {
    for (size_t i = 0; i < commands.size(); ++i) waiting_.push_back(i);
  }

  // Rounds until every command is finished or catching up fails. The caller
  // (ExecuteBatch) holds the service's mu_.
  std::vector<Result<CommandOutcome>> Run() {
    s_.mu_.AssertHeld();
    Status failure;
    while (!waiting_.empty()) {
      failure = s_.CatchUpLocked();
      if (!failure.ok()) break;
      DecideRound();
      if (!requests_.empty()) AppendRound();
      std::sort(later_.begin(), later_.end());
      waiting_.swap(later_);
    }
    if (failure.ok()) failure = s_.CatchUpLocked();
    return Results(failure);
  }

 private:
  // One round's decision: requests_[first..first+appends) belong to `command`.
  struct Taken {
    size_t command;
    Decision decision;
    size_t first;
    Status refusal;  // when the decision records a refused command: the command's answer
  };

  void Finish(size_t c, Status error) {
    finished_[c] = 1;
    errors_[c] = std::move(error);
  }

  // Decides every waiting command; takes those whose streams no earlier
  // command of the round claimed, and defers the rest to `later_`.
  void DecideRound() REQUIRES(s_.mu_) {
    taken_.clear();
    requests_.clear();
    claimed_.clear();
    later_.clear();
    bool unfinished_before = false;  // an earlier command of the batch is not done
    for (size_t c : waiting_) {
      CommandOutcome& outcome = outcomes_[c];
      if (outcome.attempts == s_.options_.max_attempts) {
        Finish(c, Status::Conflict(std::string(CommandName(commands_[c])) +
                                   ": still conflicting after " +
                                   std::to_string(s_.options_.max_attempts) + " attempts"));
        continue;
      }
      Result<Decision> decision = Decide(commands_[c], s_.state_);
      // A refusal that is recorded (refusals.h) appends its record, then
      // answers the refusal; only in order, once the commands before it are done.
      Status refusal = decision.status();
      std::optional<Decision> record;
      if (!refusal.ok() && !unfinished_before) record = RefusalRecord(commands_[c], refusal);
      if (record.has_value()) {
        decision = std::move(*record);
      } else {
        refusal = Status::Ok();
      }
      if (!decision.ok() || decision->IsEmpty()) {
        if (unfinished_before) {
          later_.push_back(c);  // decide again once the commands before it are done
        } else if (!decision.ok()) {
          Finish(c, decision.status());
        } else {
          ++outcome.attempts;
          Finish(c, Status::Ok());
        }
        continue;
      }
      unfinished_before = true;
      Take(c, std::move(*decision), std::move(refusal));
    }
  }

  void Take(size_t c, Decision decision, Status refusal) REQUIRES(s_.mu_) {
    bool free = std::none_of(decision.appends.begin(), decision.appends.end(),
                             [&](const StreamAppend& a) { return claimed_.contains(a.stream_id); });
    if (!free) {
      later_.push_back(c);
      return;
    }
    CommandOutcome& outcome = outcomes_[c];
    ++outcome.attempts;
    if (s_.options_.before_append) s_.options_.before_append(outcome.attempts);
    size_t first = requests_.size();
    for (const StreamAppend& append : decision.appends) {
      claimed_.insert(append.stream_id);
      requests_.push_back(
          MakeAppendRequest(decision, append, s_.state_.StreamVersion(append.stream_id)));
    }
    taken_.push_back(Taken{c, std::move(decision), first, std::move(refusal)});
  }

  // Appends the round without the service's lock, so that another batch can
  // catch up and decide meanwhile (its appends are checked against the
  // stream versions it decided on, as another service's would be). Rounds
  // fold their events in the order they took their turn: a round that
  // returns first waits for the rounds before it, so each usually folds its
  // own events instead of the next catch-up reading them back.
  void AppendRound() REQUIRES(s_.mu_) {
    uint64_t turn = s_.next_turn_++;
    s_.mu_.Unlock();  // requests_ and the rest of the Batch are this call's own
    std::vector<Result<AppendResult>> appended = s_.log_.AppendEach(std::move(requests_));
    requests_ = {};
    s_.mu_.Lock();
    while (s_.folded_turn_ != turn) s_.turn_folded_.Wait(&s_.mu_);
    EvolveAppended(appended);
    ++s_.folded_turn_;
    s_.turn_folded_.SignalAll();
    for (Taken& t : taken_) Settle(t, appended);
  }

  // When the round's appends are the only events since state_ (no other
  // writer came between), folds the decided events straight into state_
  // instead of reading them back; otherwise the next CatchUpLocked does.
  void EvolveAppended(const std::vector<Result<AppendResult>>& appended) REQUIRES(s_.mu_) {
    uint64_t next = s_.state_.last_sequence + 1;
    for (const Result<AppendResult>& r : appended) {
      if (!r.ok() || r->duplicate) continue;
      if (r->first_sequence != next) return;
      next = r->last_sequence + 1;
    }
    for (const Taken& t : taken_) {
      for (size_t j = 0; j < t.decision.appends.size(); ++j) {
        const Result<AppendResult>& r = appended[t.first + j];
        if (!r.ok() || r->duplicate) continue;
        const StreamAppend& append = t.decision.appends[j];
        uint64_t version = r->stream_version - append.events.size();
        uint64_t sequence = r->first_sequence;
        for (const Event& event : append.events) {
          Evolve(s_.state_,
                 EventMeta{sequence++, append.stream_id, ++version, t.decision.recorded_at,
                           t.decision.actor},
                 event);
        }
      }
    }
  }

  // Records what the log answered for `t`'s appends: done, decide again
  // (a conflict), or failed.
  void Settle(Taken& t, const std::vector<Result<AppendResult>>& appended) REQUIRES(s_.mu_) {
    CommandOutcome& outcome = outcomes_[t.command];
    Status status;
    for (size_t j = 0; j < t.decision.appends.size(); ++j) {
      StreamAppend& append = t.decision.appends[j];
      const Result<AppendResult>& result = appended[t.first + j];
      bool repeat = false;
      Status s = !result.ok() ? result.status()
                 : result->duplicate
                     ? s_.DuplicateKey(append, *result, duplicate_keys_[t.command], &repeat)
                     : Status::Ok();
      if (s.ok() && repeat) continue;  // carried out before
      if (s.ok()) {
        outcome.appended.push_back(
            AppendedStream{append.stream_id, *result, std::move(append.events)});
      } else if (status.ok()) {
        status = s;  // the first failure decides; later appends still count
      }
    }
    if (status.ok()) {
      Finish(t.command, t.refusal);
    } else if (status.code() == StatusCode::kConflict) {
      CommandServiceLogger().debug("{} attempt {} in a batch: {}; deciding again",
                                   CommandName(commands_[t.command]), outcome.attempts,
                                   status.message());
      later_.push_back(t.command);
    } else {
      Finish(t.command, status);
    }
  }

  std::vector<Result<CommandOutcome>> Results(const Status& failure) {
    std::vector<Result<CommandOutcome>> out;
    out.reserve(commands_.size());
    for (size_t i = 0; i < commands_.size(); ++i) {
      if (finished_[i] && errors_[i].ok()) {
        out.emplace_back(std::move(outcomes_[i]));
      } else {
        Status error = finished_[i]   ? std::move(errors_[i])
                       : failure.ok() ? Status::Internal("command was not executed")
                                      : failure;
        out.emplace_back(std::move(error));
      }
    }
    return out;
  }

  CommandService& s_;
  std::span<const Command> commands_;
  // A command is finished when finished_[c]: with errors_[c], or else with outcomes_[c].
  std::vector<char> finished_;
  std::vector<Status> errors_;
  std::vector<CommandOutcome> outcomes_;
  std::vector<std::string> duplicate_keys_;
  std::vector<size_t> waiting_;
  std::vector<size_t> later_;
  std::vector<Taken> taken_;
  std::vector<AppendRequest> requests_;
  std::unordered_set<std::string> claimed_;
};

std::vector<Result<CommandOutcome>> CommandService::ExecuteBatch(
    std::span<const Command> commands) {
  InFlight in_flight(in_flight_);
  MutexLock lock(&mu_);
  return Batch(*this, commands).Run();
}

}  // namespace rotor::domain
