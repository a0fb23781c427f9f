// Projection: the interface every read model implements, and the key-value
// interfaces through which a projection persists its state.
//
// A projection is a pure fold: Apply(record, event) changes in-memory state
// and never fails, performs no I/O and reads no clock (time comes from the
// record). The runner (projections/runner.h) decides when state is written:
// it asks for the entries changed since the last write (WriteChanges) and
// commits them together with the checkpoint in one atomic store batch.
//
// Thread safety: a projection is thread-compatible. The runner serializes
// Apply and Write* against readers with its own lock.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "events/event_types.h"
#include "events/record.h"

namespace rotor::projections {

// Receives the writes of one projection (its own key space).
class KvWriter {
 public:
  virtual ~KvWriter() = default;
  virtual void Put(std::string_view key, std::string_view value) = 0;
  virtual void Delete(std::string_view key) = 0;
};

// Reads one projection's key space.
class KvReader {
 public:
  virtual ~KvReader() = default;
  // Visits keys starting with `prefix` in byte order until `visit` returns
  // false. Errors: kIoError, kCorruption from the storage engine.
  virtual Status Scan(
      std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) const = 0;
  // The greatest key starting with `prefix`; "" when there is none or the
  // reader cannot tell. A hint for pre-sizing, never needed for correctness.
  virtual std::string LastKey(std::string_view /*prefix*/) const { return {}; }
};

class Projection {
 public:
  virtual ~Projection() = default;

  // Stable name of the projection's key space ("fleet", "audit").
  virtual std::string_view name() const = 0;

  // Folds one event. Records arrive in sequence order; the fleet and audit
  // projections ignore a record at or below the last sequence they folded
  // (defence in depth: the runner never replays one).
  virtual void Apply(const RecordedEvent& record, const Event& event) = 0;

  // A hint that `event` will be applied soon — `near` within a few events,
  // otherwise a little later — so the projection can start loading the memory
  // it will touch (folds call it ahead of Apply). Changes nothing.
  virtual void Prefetch(const Event& /*event*/, bool /*near*/) const {}

  // Forgets everything: the projection of an empty log.
  virtual void Clear() = 0;

  // When on, Apply remembers which entries changed so WriteChanges can write
  // only those. One-shot folds (rebuild, as-of) leave it off.
  virtual void set_track_changes(bool on) = 0;

  // Writes every entry changed since the last WriteChanges/WriteAll/Load and
  // forgets the changes. Keys never start with '~' (reserved for the runner).
  virtual void WriteChanges(KvWriter& out) = 0;

  // Writes the whole state into an empty key space and forgets the changes.
  virtual void WriteAll(KvWriter& out) = 0;

  // Replaces the state with the stored one. Errors: kCorruption naming the key.
  virtual Status Load(const KvReader& in) = 0;

  // Approximate heap bytes held (container capacities).
  virtual size_t MemoryBytes() const = 0;
};

}  // namespace rotor::projections
