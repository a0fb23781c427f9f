#include "projections/snapshot.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <bit>

#include "base/hash.h"
#include "projections/encoding.h"

namespace rotor::projections {
namespace {

// "RSNP", varint format, SHA-256 of the body, body:
//   bytes name, bytes EncodeCheckpoint(at), varint entries, entries of
//   (bytes key, bytes value) in key order.
constexpr std::string_view kMagic = "RSNP";
constexpr size_t kDigestBytes = 32;
constexpr size_t kMaxVarintBytes = 10;

std::string_view AsView(const Sha256Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

// Checks one snapshot against the log and `limit`; the decoded snapshot when
// it is usable. Errors name what is wrong with it.
Result<std::unique_ptr<SnapshotReader>> CheckSnapshot(const EventLog& log,
                                                      const ProjectionStore& store,
                                                      std::string_view name, uint64_t sequence,
                                                      const FoldLimit& limit, bool* too_late) {
  RecordedEvent record;
  Status read = log.ReadOne(sequence, &record);
  if (!read.ok()) return read.WithContext("the log's record at its sequence");
  if (limit.time.has_value() && record.recorded_at > *limit.time) {
    *too_late = true;
    return Status::FailedPrecondition("recorded after the as-of time");
  }
  Result<std::string> bytes = store.ReadSnapshot(name, sequence);
  if (!bytes.ok()) return bytes.status();
  Result<std::unique_ptr<SnapshotReader>> snapshot = DecodeSnapshot(std::move(*bytes));
  if (!snapshot.ok()) return snapshot.status();
  const Checkpoint& at = (*snapshot)->checkpoint();
  if ((*snapshot)->name() != name || at.sequence != sequence) {
    return Status::Corruption("it holds '" + (*snapshot)->name() + "' at sequence " +
                              std::to_string(at.sequence));
  }
  if (at.hash != record.hash || at.recorded_at != record.recorded_at) {
    return Status::FailedPrecondition(
        "its event hash is not the log's (a snapshot of another log)");
  }
  return snapshot;
}

}  // namespace

Status SnapshotReader::Scan(
    std::string_view prefix,
    const std::function<bool(std::string_view, std::string_view)>& visit) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), prefix,
                             [](const auto& entry, std::string_view p) { return entry.first < p; });
  for (; it != entries_.end() && it->first.starts_with(prefix); ++it) {
    if (!visit(it->first, it->second)) break;
  }
  return Status::Ok();
}

std::string SnapshotReader::LastKey(std::string_view prefix) const {
  auto first =
      std::lower_bound(entries_.begin(), entries_.end(), prefix,
                       [](const auto& entry, std::string_view p) { return entry.first < p; });
  auto end = std::partition_point(
      first, entries_.end(), [&](const auto& entry) { return entry.first.starts_with(prefix); });
  return end == first ? std::string() : std::string((end - 1)->first);
}

Result<std::string> EncodeSnapshot(std::string_view name, const Checkpoint& at,
                                   const KvReader& state) {
  // One buffer: the header's room first, then the entries as they are
  // scanned (their count, which precedes them, is known only at the end),
  // then the header slid up against them. No second copy of a snapshot that
  // may be tens of megabytes.
  std::string head;
  PutBytes(&head, name);
  PutBytes(&head, EncodeCheckpoint(at));
  std::string out(kMagic);
  PutVarint(&out, kSnapshotFormat);
  const size_t digest_at = out.size();
  const size_t room = head.size() + kMaxVarintBytes;
  out.resize(digest_at + kDigestBytes + room);
  uint64_t count = 0;
  ROTOR_RETURN_IF_ERROR(state.Scan("", [&](std::string_view key, std::string_view value) {
    if (key.starts_with('~')) return true;
    PutBytes(&out, key);
    PutBytes(&out, value);
    ++count;
    return true;
  }));
  PutVarint(&head, count);
  const size_t body_at = digest_at + kDigestBytes + (room - head.size());
  head.copy(out.data() + body_at, head.size());
  out.erase(digest_at + kDigestBytes, body_at - digest_at - kDigestBytes);
  std::string_view body(out);
  body.remove_prefix(digest_at + kDigestBytes);
  Sha256Digest digest = Sha256(body);
  std::copy(digest.begin(), digest.end(), out.begin() + static_cast<std::ptrdiff_t>(digest_at));
  return out;
}

Result<std::unique_ptr<SnapshotReader>> DecodeSnapshot(std::string bytes) {
  auto snapshot = std::make_unique<SnapshotReader>();
  snapshot->bytes_ = std::move(bytes);
  std::string_view in = snapshot->bytes_;
  if (!in.starts_with(kMagic)) return Status::Corruption("not a projection snapshot");
  Reader r(in.substr(kMagic.size()));
  uint64_t format = 0;
  std::string_view digest;
  if (!r.Varint(&format)) return Status::Corruption("the snapshot's format does not decode");
  if (format != kSnapshotFormat) {
    return Status::FailedPrecondition("snapshot format version " + std::to_string(format) +
                                      "; this build reads version " +
                                      std::to_string(kSnapshotFormat));
  }
  if (!r.Fixed(kDigestBytes, &digest)) return Status::Corruption("the snapshot is truncated");
  std::string_view body = in.substr(in.size() - r.remaining());
  if (AsView(Sha256(body)) != digest) {
    return Status::Corruption("the snapshot's SHA-256 does not match its contents (damaged)");
  }
  Reader b(body);
  std::string checkpoint;
  uint64_t count = 0;
  if (!b.Bytes(&snapshot->name_) || !b.Bytes(&checkpoint) || !b.Varint(&count) ||
      count > body.size()) {
    return Status::Corruption("the snapshot's header does not decode");
  }
  Result<Checkpoint> at = DecodeCheckpoint(checkpoint);
  if (!at.ok()) return at.status();
  snapshot->checkpoint_ = *at;
  snapshot->entries_.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view key, value;
    if (!b.View(&key) || !b.View(&value) ||
        (!snapshot->entries_.empty() && snapshot->entries_.back().first >= key)) {
      return Status::Corruption("the snapshot's entry " + std::to_string(i) + " does not decode");
    }
    snapshot->entries_.emplace_back(key, value);
  }
  if (!b.done()) return Status::Corruption("the snapshot has bytes after its last entry");
  return snapshot;
}

Result<size_t> TakeSnapshot(ProjectionStore& store, std::string_view name, const Checkpoint& at,
                            const KvReader& state) {
  Result<std::string> bytes = EncodeSnapshot(name, at, state);
  if (!bytes.ok()) return bytes.status();
  ROTOR_RETURN_IF_ERROR(store.PutSnapshot(name, at.sequence, *bytes));
  return bytes->size();
}

std::vector<uint64_t> SnapshotsToThin(std::span<const uint64_t> sequences, uint64_t every,
                                      size_t dense) {
  std::vector<uint64_t> out;
  if (sequences.empty() || every == 0) return out;
  dense = std::max<size_t>(dense, 1);
  const uint64_t newest = sequences.back() / every;
  for (uint64_t sequence : sequences) {
    uint64_t index = sequence / every;
    uint64_t age = newest - std::min(index, newest);
    if (age < dense) continue;
    const uint64_t k = std::bit_width(age / dense);  // floor(log2(age / dense)) + 1
    if (k >= 64 || index % (uint64_t{1} << k) != 0) out.push_back(sequence);
  }
  return out;
}

Status ThinSnapshots(ProjectionStore& store, std::string_view name, uint64_t every, size_t dense) {
  Result<std::vector<uint64_t>> sequences = store.ListSnapshots(name);
  if (!sequences.ok()) return sequences.status();
  for (uint64_t sequence : SnapshotsToThin(*sequences, every, dense)) {
    ROTOR_RETURN_IF_ERROR(store.DeleteSnapshot(name, sequence));
  }
  return Status::Ok();
}

Checkpoint LoadNewestSnapshot(const EventLog& log, const ProjectionStore& store,
                              const FoldLimit& limit, Projection* projection,
                              const std::function<bool()>& fits) {
  std::string name(projection->name());
  Result<std::vector<uint64_t>> sequences = store.ListSnapshots(name);
  if (!sequences.ok()) {
    spdlog::warn("as-of '{}': cannot list snapshots ({}); folding from sequence 1", name,
                 sequences.status().ToString());
    return {};
  }
  const uint64_t last = std::min(limit.sequence, log.Head());
  for (size_t i = sequences->size(); i-- > 0;) {  // newest first
    const uint64_t sequence = (*sequences)[i];
    if (sequence > last) continue;
    bool too_late = false;
    Result<std::unique_ptr<SnapshotReader>> snapshot =
        CheckSnapshot(log, store, name, sequence, limit, &too_late);
    if (too_late) continue;
    Status loaded = snapshot.ok() ? projection->Load(**snapshot) : snapshot.status();
    if (loaded.ok() && fits && !fits()) {
      projection->Clear();
      continue;
    }
    if (loaded.ok()) return (*snapshot)->checkpoint();
    projection->Clear();
    spdlog::warn("as-of '{}': snapshot at sequence {} skipped: {}", name, sequence,
                 loaded.ToString());
  }
  return {};
}

}  // namespace rotor::projections
