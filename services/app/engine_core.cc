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

void RecordCommand(Metrics& metrics, const domain::Command& command,
                   const Result<domain::CommandOutcome>& outcome, double seconds) {
  uint64_t appended = 0;
  std::string_view label;
  if (outcome.ok()) {
    for (const domain::AppendedStream& s : outcome->appended) appended += s.events.size();
    label = outcome->IsNoOp() ? "noop" : "appended";
  } else {
    label = StatusCodeName(outcome.status().code());
    if (domain::IsRecordedRefusal(command, outcome.status())) {
      metrics.CommandRefused(domain::CommandName(command));
    }
  }
  metrics.CommandExecuted(domain::CommandName(command), label, seconds, appended);
}

}  // namespace

Result<domain::CommandOutcome> EngineCore::Execute(const domain::Command& command) {
  auto start = std::chrono::steady_clock::now();
  Result<domain::CommandOutcome> outcome = commands->Execute(command);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  RecordCommand(metrics, command, outcome, seconds);
  return outcome;
}

std::vector<Result<domain::CommandOutcome>> EngineCore::ExecuteBatch(
    std::span<const domain::Command> batch) {
  auto start = std::chrono::steady_clock::now();
  std::vector<Result<domain::CommandOutcome>> outcomes = commands->ExecuteBatch(batch);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (size_t i = 0; i < batch.size(); ++i) RecordCommand(metrics, batch[i], outcomes[i], seconds);
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
