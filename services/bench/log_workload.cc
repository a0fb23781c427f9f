#include "services/bench/log_workload.h"

#include <string_view>
#include <unordered_map>

#include "events/codec.h"
#include "events/rocksdb_event_log.h"

namespace rotor::bench {
namespace {

constexpr int64_t kEpochMicros = 1798761600LL * 1000000;  // 2027-01-01T00:00:00Z

std::string Fingerprint(uint64_t i) {
  std::string seed = "certificate-" + std::to_string(i);
  return ToHex(Sha256(seed));
}

}  // namespace

NewEvent MakeBenchEvent(uint64_t i, size_t payload_bytes) {
  CertificateStaged staged;
  staged.rollout_id = "rollout-" + std::to_string(i / 1000);
  staged.fingerprint = Fingerprint(i);
  size_t fixed = EncodePayload(Event(staged)).size();
  // A profile name padded with hex digits (like the ids real events carry, not
  // a run of one byte that compresses to nothing). Its length prefix stays one
  // byte for any realistic size.
  std::string profile = "profile-" + std::to_string(i % 97) + "-";
  size_t want = payload_bytes > fixed + 2 ? payload_bytes - fixed - 2 : profile.size();
  std::string pad = Fingerprint(i + (uint64_t{1} << 40));
  while (profile.size() < want) profile.push_back(pad[profile.size() % pad.size()]);
  staged.communication_profile = std::move(profile);
  return MakeNewEvent(Event(staged), TimeFromMicros(kEpochMicros + static_cast<int64_t>(i)),
                      "agent:agent-" + std::to_string(i % 1000),
                      "corr-" + std::to_string(i / 1000));
}

std::vector<AppendRequest> MakeBatches(uint64_t events, size_t batch, size_t payload_bytes,
                                       size_t streams) {
  std::vector<AppendRequest> out;
  out.reserve((events + batch - 1) / batch);
  std::vector<uint64_t> versions(streams, 0);
  for (uint64_t first = 0; first < events; first += batch) {
    size_t s = out.size() % streams;
    AppendRequest r;
    r.stream_id = "rollout-" + std::to_string(s);
    r.expected = ExpectedVersion::Exact(versions[s]);
    for (uint64_t i = first; i < events && i < first + batch; ++i) {
      r.events.push_back(MakeBenchEvent(i, payload_bytes));
    }
    versions[s] += r.events.size();
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::vector<AppendRequest>> MakeSingleAppends(size_t threads, size_t per_thread,
                                                          size_t payload_bytes) {
  std::vector<std::vector<AppendRequest>> out(threads);
  for (size_t t = 0; t < threads; ++t) {
    out[t].reserve(per_thread);
    for (size_t i = 0; i < per_thread; ++i) {
      AppendRequest r;
      r.stream_id = "agent-" + std::to_string(t);
      r.expected = ExpectedVersion::Exact(i);
      r.events.push_back(MakeBenchEvent(t * per_thread + i, payload_bytes));
      out[t].push_back(std::move(r));
    }
  }
  return out;
}

std::vector<StoredRecord> SealInOrder(const std::vector<AppendRequest>& requests) {
  std::vector<StoredRecord> out;
  std::unordered_map<std::string_view, uint64_t> versions;
  std::vector<std::pair<uint64_t, std::string>> sealed;
  Sha256Digest hash{};
  uint64_t sequence = 1;
  for (const AppendRequest& r : requests) {
    uint64_t& version = versions[r.stream_id];
    sealed.clear();
    AppendResult result = SealAppend(r, sequence, version, &hash, &sealed);
    for (auto& [seq, value] : sealed) {
      out.push_back({RocksDbEventLog::SequenceKey(seq), std::move(value)});
    }
    version = result.stream_version;
    sequence = result.last_sequence + 1;
  }
  return out;
}

}  // namespace rotor::bench
