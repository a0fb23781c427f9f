// GatedLog: an EventLog that forwards to another (its head published as
// its own) with a gate on AppendEach: the first call waits, up to a bound,
// until a second call has begun, and says whether one did. Tests use it to
// show that a second batch reaches the log while the first is being written,
// and which threads (kernel thread ids) appended. Test-only.
#pragma once

#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <utility>
#include <vector>

#include "events/event_log.h"

namespace rotor::testing {

class GatedLog : public EventLog {
 public:
  explicit GatedLog(EventLog& inner) : inner_(inner) {}

  Result<AppendResult> Append(AppendRequest request) override {
    Result<AppendResult> result = inner_.Append(std::move(request));
    PublishHead(inner_.Head());
    return result;
  }
  std::vector<Result<AppendResult>> AppendEach(std::vector<AppendRequest> requests) override {
    {
      std::unique_lock<std::mutex> lock(mu_);
      appending_threads_.insert(static_cast<pid_t>(syscall(SYS_gettid)));
      if (++calls_ == 1) {
        cv_.notify_all();
        second_began_ = cv_.wait_for(lock, std::chrono::seconds(10), [&] { return calls_ >= 2; });
      } else {
        cv_.notify_all();
      }
    }
    std::vector<Result<AppendResult>> results = inner_.AppendEach(std::move(requests));
    PublishHead(inner_.Head());
    return results;
  }
  Status ScanStored(uint64_t from, Direction direction,
                    const std::function<bool(uint64_t, std::string_view)>& visit) const override {
    return inner_.ScanStored(from, direction, visit);
  }
  Status StreamSequences(std::string_view stream_id, uint64_t from_version, size_t max,
                         std::vector<uint64_t>* out) const override {
    return inner_.StreamSequences(stream_id, from_version, max, out);
  }
  Status ReadOne(uint64_t sequence, RecordedEvent* out) const override {
    return inner_.ReadOne(sequence, out);
  }
  Result<uint64_t> StreamVersion(std::string_view stream_id) const override {
    return inner_.StreamVersion(stream_id);
  }

  // Waits until AppendEach was first called.
  void AwaitFirstCall() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return calls_ >= 1; });
  }
  bool second_began() {
    std::lock_guard<std::mutex> lock(mu_);
    return second_began_;
  }
  // The threads that called AppendEach.
  std::set<pid_t> appending_threads() {
    std::lock_guard<std::mutex> lock(mu_);
    return appending_threads_;
  }

 private:
  EventLog& inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  int calls_ = 0;
  bool second_began_ = false;
  std::set<pid_t> appending_threads_;
};

}  // namespace rotor::testing
