// Folding the log into projections from zero: the basis of Rebuild and of
// "as of" queries. A fold reads the log only; the projections it fills are
// the caller's (fresh ones for an as-of query, so the live ones are never
// touched).
//
// Thread safety: FoldLog is safe to call concurrently with appends and with
// other folds (it reads up to the head it saw when it started). Large folds
// may use one extra thread internally (FoldOptions); Apply always runs on the
// calling thread, in sequence order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "events/event_log.h"
#include "projections/audit_projection.h"
#include "projections/fleet_projection.h"
#include "projections/store.h"

namespace rotor::projections {

// Where a fold stops: after `sequence` (inclusive), and, with `time`, before
// the first event recorded after `time` (the log in sequence order is what a
// reader saw at that moment; a later event never precedes an earlier one).
struct FoldLimit {
  uint64_t sequence = kHeadSequence;
  std::optional<Time> time;

  static FoldLimit Head() { return {}; }
  static FoldLimit AtSequence(uint64_t sequence) { return {sequence, std::nullopt}; }
  static FoldLimit AtTime(Time time) { return {kHeadSequence, time}; }
};

struct FoldOptions {
  // Folds of at least this many events read and decode the log in chunks and
  // apply each chunk with Prefetch hints a few events ahead. 0: always.
  uint64_t chunked_min_events = 16384;
  // Chunked folds fill chunks on a second thread while the calling thread
  // applies them (a two-stage pipeline).
  bool reader_thread = true;
  // With `reader_thread`, the reader decodes a chunk's payloads itself when
  // at least this many chunks wait to be applied, and otherwise leaves them to
  // the applying thread; this balances the two stages. 0: the reader decodes
  // every chunk; SIZE_MAX: the applying thread does.
  size_t reader_decodes_when_queued = 2;
};

struct FoldResult {
  uint64_t events = 0;
  Checkpoint last;  // the last event folded; sequence 0 when none
};

// Folds events from sequence `from` (1 = the start) up to `limit` into every
// projection, in order. Errors: kInternal on a gap in the sequence (nothing
// after the gap is folded), kCorruption naming the sequence, kInvalidArgument
// for an event that does not decode (e.g. a type this build does not know).
// On error the projections hold the events before the failing one.
Result<FoldResult> FoldLog(const EventLog& log, uint64_t from, const FoldLimit& limit,
                           std::span<Projection* const> projections,
                           const FoldOptions& options = {});

// Every read model as of a point: what the dashboard showed then.
struct ReadModels {
  FleetProjection fleet;
  AuditProjection audit;
  FoldResult folded;  // the events folded by this computation, and the last one
  // The oldest snapshot a read model started from (projections/snapshot.h);
  // sequence 0 when one was folded from sequence 1.
  Checkpoint snapshot;
};

// Computes fresh read models up to `limit`: each starts from its newest
// usable snapshot in `snapshots` at or before `limit` (LoadNewestSnapshot; a
// snapshot that does not check out is skipped), or from zero without one or
// when `snapshots` is null, and folds the events after it. Errors: as FoldLog.
Result<std::unique_ptr<ReadModels>> ComputeAsOf(const EventLog& log, const FoldLimit& limit,
                                                const FoldOptions& options = {},
                                                const ProjectionStore* snapshots = nullptr);

}  // namespace rotor::projections
