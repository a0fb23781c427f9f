#include "services/app/state_snapshotter.h"

#include <spdlog/spdlog.h>

#include <string>

#include "base/allocator.h"
#include "services/domain/state_encoder.h"

namespace rotor::app {

StateSnapshotter::StateSnapshotter(domain::CommandService& commands, const EventLog& log,
                                   StateSnapshots& snapshots, StateSnapshotterOptions options,
                                   uint64_t restored)
    : commands_(commands),
      log_(log),
      snapshots_(snapshots),
      options_(options),
      last_(restored),
      last_at_(std::chrono::steady_clock::now()) {}

StateSnapshotter::~StateSnapshotter() { Stop(); }

void StateSnapshotter::Start() {
  MutexLock lock(&mu_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this] { Run(); });
}

void StateSnapshotter::Stop() {
  {
    MutexLock lock(&mu_);
    if (stop_) return;
    stop_ = true;
    cv_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
  Result<uint64_t> taken = TakeNow();
  if (!taken.ok()) spdlog::warn("state snapshot at shutdown: {}", taken.status().ToString());
}

Result<uint64_t> StateSnapshotter::TakeNow() {
  MutexLock lock(&take_mu_);
  if (log_.Head() == last_) return last_;
  uint64_t sequence = 0;
  size_t bytes = 0;
  {
    domain::StateEncoder encoder;
    ROTOR_RETURN_IF_ERROR(commands_.EncodeSnapshot(encoder));
    sequence = encoder.sequence();
    if (sequence == 0 || sequence == last_) return last_;
    RecordedEvent record;
    ROTOR_RETURN_IF_ERROR(log_.ReadOne(sequence, &record));
    std::vector<std::string_view> parts = encoder.Parts();
    for (std::string_view part : parts) bytes += part.size();
    ROTOR_RETURN_IF_ERROR(snapshots_.Write(sequence, record.hash, parts));
  }
  last_ = sequence;
  last_at_ = std::chrono::steady_clock::now();
  ReleaseFreeMemory();  // give the encoding's tens of megabytes back to the system
  spdlog::debug("state snapshot at sequence {} ({} bytes)", sequence, bytes);
  return sequence;
}

void StateSnapshotter::Run() {
  for (;;) {
    {
      MutexLock lock(&mu_);
      if (stop_) return;
      cv_.WaitFor(&mu_, options_.poll);
      if (stop_) return;
    }
    if (options_.every_events == 0) continue;
    bool due = false;
    {
      MutexLock lock(&take_mu_);
      due = log_.Head() >= last_ + options_.every_events &&
            std::chrono::steady_clock::now() - last_at_ >= options_.min_interval;
    }
    if (!due) continue;
    Result<uint64_t> taken = TakeNow();
    if (!taken.ok()) spdlog::warn("state snapshot: {}", taken.status().ToString());
  }
}

}  // namespace rotor::app
