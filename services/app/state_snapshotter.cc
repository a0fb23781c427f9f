#include "services/app/state_snapshotter.h"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <string>

#include "services/domain/state_codec.h"

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
  ROTOR_RETURN_IF_ERROR(commands_.CatchUp());
  std::string encoded;
  uint64_t sequence = 0;
  const uint64_t last = last_;
  commands_.Snapshot([&](const domain::DomainState& state) {
    sequence = state.last_sequence;
    if (sequence != last) encoded = domain::EncodeState(state);
  });
  if (sequence == 0 || sequence == last_) return last_;
  RecordedEvent record;
  ROTOR_RETURN_IF_ERROR(log_.ReadOne(sequence, &record));
  ROTOR_RETURN_IF_ERROR(snapshots_.Write(sequence, record.hash, encoded));
  last_ = sequence;
  last_at_ = std::chrono::steady_clock::now();
  encoded = {};
  malloc_trim(0);  // give the encoding's tens of megabytes back to the system
  spdlog::debug("state snapshot at sequence {} ({} bytes)", sequence, encoded.size());
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
