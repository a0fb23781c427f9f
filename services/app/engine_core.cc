#include "services/app/engine_core.h"

#include <openssl/rand.h>

#include <algorithm>

#include "base/hash.h"
#include "services/app/json_views.h"
#include "services/domain/refusals.h"

namespace rotor::app {

using nlohmann::json;

Time EngineCore::Now() const {
  if (options.virtual_clock) return options.virtual_clock->Now();
  if (options.clock) return options.clock();
  return std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now());
}

uint64_t EngineCore::ProjectedSequence() const {
  return std::min(fleet_runner->checkpoint().sequence, audit_runner->checkpoint().sequence);
}

bool EngineCore::WaitForProjections(uint64_t sequence, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(progress_mu);
  return progress_cv.wait_for(lock, timeout, [&] {
    return ProjectedSequence() >= sequence || closed.load(std::memory_order_acquire);
  }) && ProjectedSequence() >= sequence;
}

namespace {

// The outcome label of one executed command ("appended", "noop" or the
// error code's name); adds the events it appended to `*appended`, and counts
// a recorded refusal.
std::string_view OutcomeLabel(Metrics& metrics, const domain::Command& command,
                              const Result<domain::CommandOutcome>& outcome, uint64_t* appended) {
  if (outcome.ok()) {
    for (const domain::AppendedStream& s : outcome->appended) *appended += s.events.size();
    return outcome->IsNoOp() ? "noop" : "appended";
  }
  if (domain::IsRecordedRefusal(command, outcome.status())) {
    metrics.CommandRefused(domain::CommandName(command));
  }
  return StatusCodeName(outcome.status().code());
}

// Commands of a batch with the same name and outcome label: counted once.
struct CommandTally {
  std::string_view command;
  std::string_view outcome;
  uint64_t count = 0;
  uint64_t appended = 0;
};

}  // namespace

Result<domain::CommandOutcome> EngineCore::Execute(const domain::Command& command) {
  auto start = std::chrono::steady_clock::now();
  Result<domain::CommandOutcome> outcome = commands->Execute(command);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  uint64_t appended = 0;
  std::string_view label = OutcomeLabel(metrics, command, outcome, &appended);
  metrics.CommandExecuted(domain::CommandName(command), label, seconds, appended);
  return outcome;
}

std::vector<Result<domain::CommandOutcome>> EngineCore::ExecuteBatch(
    std::span<const domain::Command> batch) {
  auto start = std::chrono::steady_clock::now();
  std::vector<Result<domain::CommandOutcome>> outcomes = commands->ExecuteBatch(batch);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<CommandTally> tallies;  // a batch has few distinct (command, outcome) pairs
  for (size_t i = 0; i < batch.size(); ++i) {
    uint64_t appended = 0;
    std::string_view label = OutcomeLabel(metrics, batch[i], outcomes[i], &appended);
    std::string_view name = domain::CommandName(batch[i]);
    auto it = std::find_if(tallies.begin(), tallies.end(), [&](const CommandTally& t) {
      return t.command == name && t.outcome == label;
    });
    if (it == tallies.end()) it = tallies.insert(tallies.end(), CommandTally{name, label});
    ++it->count;
    it->appended += appended;
  }
  for (const CommandTally& t : tallies) {
    metrics.CommandsExecuted(t.command, t.outcome, t.count, seconds, t.appended);
  }
  return outcomes;
}

ApiResponse JsonResponse(const json& body, int status) {
  ApiResponse response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return response;
}

json AppendedEvents(const EngineCore& core, const domain::CommandOutcome& outcome, size_t max) {
  json events = json::array();
  std::vector<RecordedEvent> read;
  for (const domain::AppendedStream& s : outcome.appended) {
    if (events.size() >= max) break;
    uint64_t count = s.result.last_sequence - s.result.first_sequence + 1;
    size_t want = std::min<uint64_t>(count, max - events.size());
    if (!core.log->Read(s.result.first_sequence, Direction::kForward, want, &read).ok()) break;
    for (const RecordedEvent& e : read) events.push_back(EventToJson(e));
  }
  return events;
}

ApiResponse CommandResponse(const EngineCore& core, const Result<domain::CommandOutcome>& outcome,
                            json extra) {
  if (!outcome.ok()) return ErrorResponse(outcome.status());
  constexpr size_t kMaxEventsShown = 1000;
  json body = extra.is_object() ? std::move(extra) : json::object();
  uint64_t count = 0;
  uint64_t first = 0;
  uint64_t last = 0;
  for (const domain::AppendedStream& s : outcome->appended) {
    count += s.result.last_sequence - s.result.first_sequence + 1;
    first = first == 0 ? s.result.first_sequence : std::min(first, s.result.first_sequence);
    last = std::max(last, s.result.last_sequence);
  }
  body["events"] = AppendedEvents(core, *outcome, kMaxEventsShown);
  body["event_count"] = count;
  if (count > kMaxEventsShown) body["events_truncated"] = true;
  if (count > 0) {
    body["first_sequence"] = first;
    body["last_sequence"] = last;
  }
  return JsonResponse(body);
}

std::string NewRolloutId() {
  unsigned char bytes[6];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    for (size_t i = 0; i < sizeof(bytes); ++i) {
      bytes[i] = static_cast<unsigned char>(now >> (8 * i));
    }
  }
  return "r-" + ToHex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

Result<uint64_t> QueryNumber(const ApiRequest& request, std::string_view name, uint64_t fallback,
                             uint64_t max) {
  auto it = request.query.find(std::string(name));
  if (it == request.query.end() || it->second.empty()) return fallback;
  const std::string& text = it->second;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || value > (UINT64_MAX - 9) / 10) {
      return Status::InvalidArgument("query parameter '" + std::string(name) +
                                     "' must be a non-negative integer, got '" + text + "'");
    }
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > max) {
    return Status::InvalidArgument("query parameter '" + std::string(name) + "' must be at most " +
                                   std::to_string(max) + ", got " + text);
  }
  return value;
}

}  // namespace rotor::app
