#include "projections/fold.h"

#include <atomic>
#include <deque>
#include <thread>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "projections/event_decoder.h"
#include "projections/snapshot.h"

namespace rotor::projections {
namespace {

// What both fold strategies share: the bounds, and the checks made on every
// record before it is applied.
struct Bounds {
  uint64_t next;  // the sequence expected next
  uint64_t last;  // fold nothing after it
  std::optional<int64_t> until;

  // kInternal on a gap; `*past_until` when the record is after the time limit.
  Status Check(const RecordedEvent& record, bool* past_until) const {
    if (record.sequence != next) {
      return Status::Internal("gap in the log: expected sequence " + std::to_string(next) +
                              ", found " + std::to_string(record.sequence));
    }
    *past_until = until.has_value() && ToMicros(record.recorded_at) > *until;
    return Status::Ok();
  }
  // After the scan: kInternal when it ended before `last` without a limit.
  Status End(bool stopped) const {
    if (stopped || next > last) return Status::Ok();
    return Status::Internal("gap in the log: sequence " + std::to_string(next) +
                            " is missing (head " + std::to_string(last) + ")");
  }
};

void ApplyOne(const RecordedEvent& record, const Event& event,
              std::span<Projection* const> projections, FoldResult* result) {
  for (Projection* p : projections) p->Apply(record, event);
  ++result->events;
  result->last = {record.sequence, record.recorded_at, record.hash};
}

Result<FoldResult> FoldSequential(const EventLog& log, Bounds bounds,
                                  std::span<Projection* const> projections) {
  FoldResult result;
  EventDecoder decoder;
  Status failure;
  bool stopped = false;
  Status scan = log.ForEach(bounds.next, [&](const RecordedEvent& record) {
    bool past = false;
    failure = bounds.Check(record, &past);
    if (!failure.ok()) return false;
    if (past) {
      stopped = true;
      return false;
    }
    Result<const Event*> event = decoder.Decode(record);
    if (!event.ok()) {
      failure = event.status();
      return false;
    }
    ApplyOne(record, **event, projections, &result);
    if (++bounds.next > bounds.last) {
      stopped = true;
      return false;
    }
    return true;
  });
  ROTOR_RETURN_IF_ERROR(scan);
  ROTOR_RETURN_IF_ERROR(failure);
  ROTOR_RETURN_IF_ERROR(bounds.End(stopped));
  return result;
}

// Large folds: one scan of the log reads records into recycled chunks (their
// strings keep their capacity); each full chunk's payloads are decoded and
// its events applied in order with Prefetch hints a few events ahead — at
// once on the calling thread, or, with `reader_thread`, handed to the calling
// thread while a second thread scans on.
//
// With two threads the work is balanced: reading a record costs about as
// much as applying it, and decoding its payload sits between the two. The
// reader decodes a chunk itself only while the applier has chunks queued
// (it is the slower stage then; FoldOptions::reader_decodes_when_queued);
// otherwise it hands the chunk over as read, and the applier decodes it
// before applying it.
class ChunkedFold {
 public:
  // A chunk (records, events, payloads) stays within L2 between being filled
  // and being applied; 8k events in flight ride out a stage waiting for a CPU
  // on a busy machine (a few milliseconds).
  static constexpr size_t kChunkEvents = 256;
  static constexpr size_t kChunks = 32;
  static constexpr size_t kFar = 16;  // events ahead for Prefetch(far)
  static constexpr size_t kNear = 6;  // events ahead for Prefetch(near)
  ChunkedFold(const EventLog& log, Bounds bounds, size_t decode_when_queued)
      : log_(log), bounds_(bounds), decode_when_queued_(decode_when_queued) {
    for (size_t i = 0; i < kChunks; ++i) {
      chunks_[i].records.resize(kChunkEvents);
      chunks_[i].events.resize(kChunkEvents);
      free_.push_back(i);
    }
  }

  Result<FoldResult> Run(std::span<Projection* const> projections, bool reader_thread) {
    FoldResult result;
    EventDecoder decoder;  // the applying thread's
    Status failure;        // the first chunk that failed to decode, applied up to it
    auto decode_and_apply = [&](size_t c) {
      if (!failure.ok()) return;  // draining after a failure
      Chunk& chunk = chunks_[c];
      if (!chunk.decoded) failure = DecodeChunk(&decoder, &chunk);
      Apply(chunk, projections, &result);
      if (!failure.ok()) cancelled_.store(true, std::memory_order_relaxed);
    };
    if (!reader_thread) {
      Scan(0, [&](size_t c) {
        decode_and_apply(c);
        return c;
      });
    } else {
      std::thread reader([this] { Scan(TakeFree(), [this](size_t c) { return HandOver(c); }); });
      for (size_t c; (c = TakeFull()) != kNone;) {
        decode_and_apply(c);
        MutexLock lock(&mu_);
        free_.push_back(c);
        if (free_.size() == 1) changed_.SignalAll();  // the reader may be waiting
      }
      reader.join();
    }
    // Chunks are applied in order, so a failure here precedes any the reader met.
    ROTOR_RETURN_IF_ERROR(failure);
    ROTOR_RETURN_IF_ERROR(status_);
    ROTOR_RETURN_IF_ERROR(bounds_.End(stopped_));
    return result;
  }

 private:
  static constexpr size_t kNone = ~size_t{0};
  struct Chunk {
    std::vector<RecordedEvent> records;
    std::vector<Event> events;
    size_t size = 0;
    bool decoded = false;  // events[0, size) hold the records' payloads
  };

  // Decodes the chunk's payloads. On failure the chunk keeps the events
  // before the one that failed.
  static Status DecodeChunk(EventDecoder* decoder, Chunk* chunk) {
    chunk->decoded = true;
    for (size_t i = 0; i < chunk->size; ++i) {
      Status s = decoder->DecodeInto(chunk->records[i], &chunk->events[i]);
      if (!s.ok()) {
        chunk->size = i;
        return s;
      }
    }
    return Status::Ok();
  }

  // Scans from bounds_.next into chunk `c`; `full(c)` takes each chunk that
  // is full (and the last one, however full) and returns the chunk to fill next.
  template <typename Full>
  void Scan(size_t c, Full&& full) {
    Status failure;
    chunks_[c].size = 0;
    chunks_[c].decoded = false;
    Status scan = log_.ScanStored(bounds_.next, Direction::kForward,
                                  [&](uint64_t sequence, std::string_view value) {
                                    if (cancelled_.load(std::memory_order_relaxed)) return false;
                                    if (sequence > bounds_.last) {
                                      stopped_ = true;
                                      return false;
                                    }
                                    Chunk& chunk = chunks_[c];
                                    RecordedEvent& record = chunk.records[chunk.size];
                                    bool past = false;
                                    failure = DecodeStoredRecord(sequence, value, &record);
                                    if (failure.ok()) failure = bounds_.Check(record, &past);
                                    if (!failure.ok()) return false;
                                    if (past) {
                                      stopped_ = true;
                                      return false;
                                    }
                                    ++bounds_.next;
                                    if (++chunk.size == kChunkEvents) {
                                      c = full(c);
                                      chunks_[c].size = 0;
                                      chunks_[c].decoded = false;
                                    }
                                    return true;
                                  });
    done_reading_ = true;
    full(c);
    // A chunk the reader decoded precedes the record that failed after it.
    if (status_.ok()) status_ = scan.ok() ? failure : scan;
  }

  static void Apply(const Chunk& chunk, std::span<Projection* const> projections,
                    FoldResult* result) {
    for (size_t i = 0; i < chunk.size; ++i) {
      // Start loading what the events a little ahead will touch.
      if (i + kFar < chunk.size) {
        for (Projection* p : projections) p->Prefetch(chunk.events[i + kFar], false);
      }
      if (i + kNear < chunk.size) {
        for (Projection* p : projections) p->Prefetch(chunk.events[i + kNear], true);
      }
      ApplyOne(chunk.records[i], chunk.events[i], projections, result);
    }
  }

  // Reader thread: a free chunk to fill.
  size_t TakeFree() EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    while (free_.empty()) changed_.Wait(&mu_);
    size_t c = free_.front();
    free_.pop_front();
    return c;
  }

  // Reader thread: hands chunk `c` to the applier, decoded when the applier
  // is behind; returns the next to fill (none after the last).
  size_t HandOver(size_t c) EXCLUDES(mu_) {
    if (chunks_[c].size > 0 && Queued() >= decode_when_queued_) {
      Status s = DecodeChunk(&decoder_, &chunks_[c]);
      if (!s.ok()) {
        status_ = s;
        cancelled_.store(true, std::memory_order_relaxed);  // read no further
      }
    }
    {
      MutexLock lock(&mu_);
      if (chunks_[c].size > 0) {
        full_.push_back(c);
      } else {
        free_.push_back(c);
      }
      done_ = done_reading_;
      if (full_.size() == 1 || done_) changed_.SignalAll();  // the applier may be waiting
    }
    return done_reading_ ? c : TakeFree();
  }

  size_t Queued() EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    return full_.size();
  }

  // Applier: the next filled chunk, or kNone when the reader is done.
  size_t TakeFull() EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    while (full_.empty() && !done_) changed_.Wait(&mu_);
    if (full_.empty()) return kNone;
    size_t c = full_.front();
    full_.pop_front();
    return c;
  }

  const EventLog& log_;
  // Reader state (the reader thread's until it is joined).
  Bounds bounds_;
  const size_t decode_when_queued_;
  EventDecoder decoder_;
  bool stopped_ = false;
  bool done_reading_ = false;
  Status status_;
  Chunk chunks_[kChunks];
  // Set when a chunk failed to decode: the reader stops at its next record.
  std::atomic<bool> cancelled_{false};
  Mutex mu_;
  CondVar changed_;
  std::deque<size_t> free_ GUARDED_BY(mu_);
  std::deque<size_t> full_ GUARDED_BY(mu_);
  bool done_ GUARDED_BY(mu_) = false;
};

}  // namespace

Result<FoldResult> FoldLog(const EventLog& log, uint64_t from, const FoldLimit& limit,
                           std::span<Projection* const> projections, const FoldOptions& options) {
  Bounds bounds{from == 0 ? 1 : from, std::min(limit.sequence, log.Head()), std::nullopt};
  if (limit.time.has_value()) bounds.until = ToMicros(*limit.time);
  if (bounds.next > bounds.last) return FoldResult{};
  if (bounds.last - bounds.next + 1 < options.chunked_min_events) {
    return FoldSequential(log, bounds, projections);
  }
  return ChunkedFold(log, bounds, options.reader_decodes_when_queued)
      .Run(projections, options.reader_thread);
}

Result<std::unique_ptr<ReadModels>> ComputeAsOf(const EventLog& log, const FoldLimit& limit,
                                                const FoldOptions& options,
                                                const ProjectionStore* snapshots) {
  auto models = std::make_unique<ReadModels>();
  Projection* projections[] = {&models->fleet, &models->audit};
  Checkpoint start[2];
  if (snapshots != nullptr) {
    // By time, a fold from zero stops before the first event recorded after
    // the limit, which may precede a snapshot recorded before it (clocks are
    // not monotonic). The fleet's as_of() is the latest recorded_at up to its
    // sequence: a fleet snapshot fits when it is not after the limit, and so
    // does any snapshot at or before the fleet's.
    start[0] = LoadNewestSnapshot(log, *snapshots, limit, &models->fleet, [&] {
      return !limit.time.has_value() || models->fleet.as_of() <= *limit.time;
    });
    if (start[0].sequence > 0) {
      start[1] = LoadNewestSnapshot(log, *snapshots, FoldLimit::AtSequence(start[0].sequence),
                                    &models->audit);
    }
  }
  // The read model that starts earlier first catches up with the other one.
  const size_t behind = start[0].sequence <= start[1].sequence ? 0 : 1;
  const Checkpoint& ahead = start[1 - behind];
  models->snapshot = start[behind];
  if (start[behind].sequence < ahead.sequence) {
    Projection* one[] = {projections[behind]};
    Result<FoldResult> caught_up = FoldLog(log, start[behind].sequence + 1,
                                           FoldLimit::AtSequence(ahead.sequence), one, options);
    if (!caught_up.ok()) return caught_up.status();
    models->folded.events = caught_up->events;
  }
  Result<FoldResult> folded = FoldLog(log, ahead.sequence + 1, limit, projections, options);
  if (!folded.ok()) return folded.status();
  models->folded.events += folded->events;
  models->folded.last = folded->events > 0 ? folded->last : ahead;
  return models;
}

}  // namespace rotor::projections
