#include "services/kafka/event_relay.h"

#include <cassert>
#include <deque>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "events/record.h"

namespace rotor::kafka {

// Follows the subscription and encodes its events. With `depth` > 0 it does
// so on its own thread, keeping up to `depth` encoded batches ready; with 0,
// Pop() reads on the caller's thread. Pop() and Stop() are called by the
// relay's thread.
class EventRelay::ReadAhead {
 public:
  ReadAhead(CatchUpSubscription& subscription, size_t depth, std::chrono::milliseconds idle_wait)
      : subscription_(subscription), depth_(depth), idle_wait_(idle_wait) {
    if (depth_ > 0) thread_ = std::thread([this] { Loop(); });
  }
  ~ReadAhead() { Stop(); }

  // Waits up to `timeout` for a batch. Returns false when none came; then
  // `error` holds the subscription's error if it ended (kCancelled after Stop).
  bool Pop(std::vector<PublishableRecord>* out, std::chrono::milliseconds timeout, Status* error)
      EXCLUDES(mu_) {
    if (depth_ == 0) {
      *error = Read(timeout, out);
      return error->ok() && !out->empty();
    }
    MutexLock lock(&mu_);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (ready_.empty() && error_.ok() && changed_.WaitUntil(&mu_, deadline)) {
    }
    if (ready_.empty()) {
      *error = error_;
      return false;
    }
    out->swap(ready_.front());
    ready_.pop_front();
    changed_.SignalAll();
    return true;
  }

  void Stop() EXCLUDES(mu_) {
    {
      MutexLock lock(&mu_);
      stopping_ = true;
    }
    subscription_.Cancel();
    changed_.SignalAll();
    if (thread_.joinable()) thread_.join();
  }

 private:
  // The next batch of the subscription, encoded (empty after `timeout`).
  // The envelopes are made from the stored bytes, without decoding the
  // records; `batch`'s buffers are reused.
  Status Read(std::chrono::milliseconds timeout, std::vector<PublishableRecord>* batch) {
    size_t prepared = 0;
    size_t visited = 0;
    Status read = subscription_.NextStored(
        timeout,
        [&](uint64_t sequence, std::string_view stored) {
          if (prepared == batch->size()) batch->emplace_back();
          ROTOR_RETURN_IF_ERROR(PrepareEnvelope(sequence, stored, &(*batch)[prepared]));
          ++prepared;
          return Status::Ok();
        },
        &visited);
    batch->resize(prepared);
    return read;
  }

  void Loop() EXCLUDES(mu_) {
    for (;;) {
      std::vector<PublishableRecord> batch;
      Status read = Read(idle_wait_, &batch);
      MutexLock lock(&mu_);
      if (!read.ok()) {
        error_ = read;
        changed_.SignalAll();
        return;
      }
      if (batch.empty()) continue;
      while (ready_.size() >= depth_ && !stopping_) changed_.Wait(&mu_);
      if (stopping_) return;
      ready_.push_back(std::move(batch));
      changed_.SignalAll();
    }
  }

  CatchUpSubscription& subscription_;
  const size_t depth_;
  const std::chrono::milliseconds idle_wait_;
  Mutex mu_;
  CondVar changed_;
  std::deque<std::vector<PublishableRecord>> ready_ GUARDED_BY(mu_);
  Status error_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

class EventRelay::Callbacks : public RdKafka::DeliveryReportCb {
 public:
  explicit Callbacks(EventRelay* relay) : relay_(relay) {}
  void dr_cb(RdKafka::Message& message) override {
    auto sequence = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(message.msg_opaque()));
    relay_->OnDelivery(sequence, message.err(), message.errstr());
  }

 private:
  EventRelay* relay_;
};

Properties RelayProducerDefaults() {
  return {{"message.timeout.ms", "0"}, {"partitioner", "murmur2_random"}};
}

Properties RelayProducerRequired() { return {{"enable.idempotence", "true"}, {"acks", "all"}}; }

Result<std::unique_ptr<EventRelay>> EventRelay::Create(const EventLog& log,
                                                       EventRelayOptions options) {
  if (options.topic.empty()) return Status::InvalidArgument("event relay: empty topic name");
  if (options.checkpoint_path.empty()) {
    return Status::InvalidArgument("event relay: no checkpoint path");
  }
  if (options.read_batch == 0 || options.max_in_flight == 0) {
    return Status::InvalidArgument("event relay: read_batch and max_in_flight must be positive");
  }
  RelayCheckpointFile file(options.checkpoint_path);
  Result<RelayPosition> position = file.Load();
  if (!position.ok()) return position.status();
  if (position->sequence > log.Head()) {
    return Status::FailedPrecondition("relay checkpoint " + file.path() + " is at sequence " +
                                      std::to_string(position->sequence) + " but the log ends at " +
                                      std::to_string(log.Head()) + ": it belongs to another log");
  }
  if (position->sequence > 0) {
    RecordedEvent at;
    ROTOR_RETURN_IF_ERROR(log.ReadOne(position->sequence, &at));
    if (at.hash != position->hash) {
      return Status::FailedPrecondition("relay checkpoint " + file.path() + ": event " +
                                        std::to_string(position->sequence) +
                                        " has another hash in this log: it belongs to another log");
    }
  }
  std::unique_ptr<EventRelay> relay(new EventRelay(log, std::move(options), *position));
  Result<std::unique_ptr<RdKafka::Conf>> conf =
      BuildConf(relay->options_.client, RelayProducerDefaults(), RelayProducerRequired(),
                relay->events_.get());
  if (!conf.ok()) return conf.status().WithContext("event relay");
  std::string error;
  if ((*conf)->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(relay->callbacks_.get()),
                   error) != RdKafka::Conf::CONF_OK) {
    return Status::Internal("event relay: dr_cb: " + error);
  }
  relay->producer_.reset(RdKafka::Producer::create(conf->get(), error));
  if (relay->producer_ == nullptr) {
    return Status::InvalidArgument("event relay: cannot create producer: " + error);
  }
  Logger().info("event relay to topic {} resumes after sequence {} (checkpoint {})",
                relay->options_.topic, position->sequence, file.path());
  return relay;
}

EventRelay::EventRelay(const EventLog& log, EventRelayOptions options, RelayPosition position)
    : log_(log),
      options_(std::move(options)),
      file_(options_.checkpoint_path),
      events_(std::make_unique<KafkaEvents>("event relay")),
      callbacks_(std::make_unique<Callbacks>(this)),
      subscription_(
          std::make_unique<CatchUpSubscription>(log, position.sequence + 1, options_.read_batch)),
      acked_position_(position) {
  durable_.store(position.sequence);
  acked_.store(position.sequence);
  produced_.store(position.sequence);
}

EventRelay::~EventRelay() {
  Stop();
  // Destroying a producer with messages in flight would wait for them; the
  // relay gives up on them instead (the checkpoint does not cover them).
  if (producer_ != nullptr) {
    producer_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
  }
}

uint64_t EventRelay::lag() const {
  uint64_t head = log_.Head();
  uint64_t acked = acknowledged();
  return head > acked ? head - acked : 0;
}

void EventRelay::Start() {
  worker_.Start([this] { return Publish(); });
}

void EventRelay::Stop() {
  worker_.Stop([this] { subscription_->Cancel(); });
}

Status EventRelay::Run() {
  return worker_.Run([this] { return Publish(); });
}

Status EventRelay::Publish() {
  Status loop = Loop();
  // Deliver what is in flight (bounded), then store how far the broker got.
  if (producer_->flush(static_cast<int>(options_.stop_flush_timeout.count())) !=
      RdKafka::ERR_NO_ERROR) {
    Logger().warn(
        "event relay: {} events still unacknowledged after {} ms; they will be "
        "published again on restart",
        produced() - acknowledged(), options_.stop_flush_timeout.count());
  }
  Status stored = MaybeStoreCheckpoint(true);
  if (loop.ok()) loop = stored;
  return loop;
}

Status EventRelay::Loop() {
  ReadAhead reader(*subscription_, options_.read_ahead, options_.idle_wait);
  std::vector<PublishableRecord> batch;
  while (!worker_.stopping()) {
    if (events_->fatal()) {
      std::string reason;
      producer_->fatal_error(reason);
      return Status::IoError("event relay: fatal producer error: " + reason);
    }
    if (!delivery_failure_.ok()) return delivery_failure_;
    if (in_flight_.size() < options_.max_in_flight) {
      auto wait = in_flight_.empty() ? options_.idle_wait : std::chrono::milliseconds(5);
      Status ended;
      if (reader.Pop(&batch, wait, &ended)) {
        for (const PublishableRecord& message : batch) ROTOR_RETURN_IF_ERROR(Produce(message));
      } else if (!ended.ok()) {
        if (ended.code() == StatusCode::kCancelled && worker_.stopping()) {
          break;
        }
        return ended;
      }
      producer_->poll(0);
    } else {
      producer_->poll(10);
    }
    ROTOR_RETURN_IF_ERROR(MaybeStoreCheckpoint(false));
  }
  return Status::Ok();
}

Status EventRelay::Produce(const PublishableRecord& m) {
  assert(m.sequence == produced() + 1);
  std::unique_ptr<RdKafka::Headers> headers(RdKafka::Headers::create());
  headers->add(kEventTypeHeader, m.event_type);
  headers->add(kSequenceHeader, std::to_string(m.sequence));
  in_flight_.push_back(InFlight{false, m.hash});
  for (;;) {
    RdKafka::ErrorCode err = producer_->produce(
        options_.topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
        const_cast<char*>(m.envelope.data()), m.envelope.size(), m.stream_id.data(),
        m.stream_id.size(), ToMicros(m.recorded_at) / 1000, headers.get(),
        // The per-message opaque is a pointer; it carries the sequence.
        // NOLINTNEXTLINE(performance-no-int-to-ptr)
        reinterpret_cast<void*>(static_cast<uintptr_t>(m.sequence)));
    if (err == RdKafka::ERR_NO_ERROR) {
      (void)headers.release();  // librdkafka owns them now
      produced_.store(m.sequence, std::memory_order_release);
      return Status::Ok();
    }
    if (err != RdKafka::ERR__QUEUE_FULL) {
      in_flight_.pop_back();
      return Status::IoError("event relay: cannot produce event " + std::to_string(m.sequence) +
                             ": " + ErrorText(err));
    }
    producer_->poll(10);  // serve delivery reports until there is room
    if (!delivery_failure_.ok()) return delivery_failure_;
  }
}

void EventRelay::OnDelivery(uint64_t sequence, RdKafka::ErrorCode error,
                            const std::string& reason) {
  uint64_t base = acked_position_.sequence;
  if (sequence <= base || sequence - base > in_flight_.size()) return;  // not ours (purged)
  if (error != RdKafka::ERR_NO_ERROR) {
    delivery_errors_.fetch_add(1, std::memory_order_relaxed);
    if (delivery_failure_.ok()) {
      delivery_failure_ =
          Status::IoError("event relay: delivery of event " + std::to_string(sequence) + " to " +
                          options_.topic + " failed: " + ErrorText(error) + ": " + reason);
    }
    return;
  }
  deliveries_.fetch_add(1, std::memory_order_relaxed);
  in_flight_[sequence - base - 1].acked = true;
  while (!in_flight_.empty() && in_flight_.front().acked) {
    acked_position_.sequence++;
    acked_position_.hash = in_flight_.front().hash;
    in_flight_.pop_front();
  }
  acked_.store(acked_position_.sequence, std::memory_order_release);
}

Status EventRelay::MaybeStoreCheckpoint(bool force) {
  if (acked_position_.sequence == durable_.load(std::memory_order_relaxed)) return Status::Ok();
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_store_ < options_.checkpoint_interval) return Status::Ok();
  ROTOR_RETURN_IF_ERROR(file_.Store(acked_position_));
  last_store_ = now;
  checkpoint_writes_.fetch_add(1, std::memory_order_relaxed);
  durable_.store(acked_position_.sequence, std::memory_order_release);
  return Status::Ok();
}

}  // namespace rotor::kafka
