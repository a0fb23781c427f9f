#include "services/kafka/worker.h"

#include <utility>

#include "services/kafka/client_config.h"

namespace rotor::kafka {

Worker::~Worker() {
  if (thread_.joinable()) thread_.join();
}

Status Worker::Run(const std::function<Status()>& loop) {
  running_.store(true, std::memory_order_release);
  Status s = loop();
  if (!s.ok()) {
    Logger().error("{} stopped: {}", name_, s.ToString());
    MutexLock lock(&mu_);
    status_ = s;
  }
  running_.store(false, std::memory_order_release);
  return s;
}

void Worker::Start(std::function<Status()> loop) {
  if (thread_.joinable()) return;
  running_.store(true, std::memory_order_release);
  thread_ = std::thread([this, loop = std::move(loop)] { (void)Run(loop); });
}

void Worker::Stop(const std::function<void()>& wake) {
  stopping_.store(true, std::memory_order_release);
  if (wake) wake();
  if (thread_.joinable()) thread_.join();
}

Status Worker::status() const {
  MutexLock lock(&mu_);
  return status_;
}

}  // namespace rotor::kafka
