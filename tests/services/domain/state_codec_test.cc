// Snapshots of the deciders' state (services/domain/state_codec.h) over
// random histories: a decoded snapshot holds every fact of the state it was
// taken from, folding on from it gives the state folding through gives, and
// bad bytes or another format version are refused, never half-read; a
// snapshot encoded piece by piece while events keep being folded is the
// state at its end; a snapshot an older build wrote (format version 1) is read.
#include "services/domain/state_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "services/domain/progress.h"
#include "services/domain/state_encoder.h"
#include "services/domain/streams.h"
#include "tests/projections/history_gen.h"
#include "tests/services/domain/state_codec_v1_golden.h"

namespace rotor::domain {
namespace {

using projections::testing::HistoryShape;
using projections::testing::RandomHistory;
using projections::testing::TimedEvent;

class Folder {
 public:
  void Fold(DomainState& state, const std::vector<TimedEvent>& history, size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      std::string stream = StreamFor(history[i].event);
      Evolve(state, {i + 1, stream, ++versions_[stream], history[i].at, history[i].actor},
             history[i].event);
    }
  }

 private:
  std::map<std::string, uint64_t> versions_;
};

template <typename Range>
std::string Sorted(Range range) {
  std::vector<std::string> v(range.begin(), range.end());
  std::sort(v.begin(), v.end());
  std::string out;
  for (const std::string& s : v) out += s + ",";
  return out;
}

void DescribeAgents(const DomainState& s, std::ostringstream& out) {
  for (uint32_t i = 0; i < s.agents.size(); ++i) {
    const AgentState& a = s.agents[i];
    std::vector<std::string> held;
    for (uint32_t fp : s.inventories.Get(a.inventory)) held.emplace_back(s.fingerprints.Get(fp));
    const Revocation* rev = s.RevocationOf(a);
    auto rejected = s.rejected_reports.find(i);
    out << "agent " << s.agent_ids.Get(i) << " " << ToMicros(a.last_report_at) << " "
        << ToMicros(a.last_report_recorded_at) << " v" << a.stream_version << " [" << Sorted(held)
        << "] " << s.GatewayOf(a) << "/" << s.SiteOf(a) << " cem " << s.CemFingerprintOf(a) << " "
        << s.CemSerialOf(a) << " flags " << a.known << a.has_report << a.cloud_enabled << a.stale
        << a.deleted << a.revoked << " rev " << (rev ? rev->reason : 99) << " "
        << (rev ? ToMicros(rev->revoked_at) : 0) << " rejected "
        << (rejected == s.rejected_reports.end() ? "" : Sorted(rejected->second)) << "\n";
  }
}

void DescribeRollout(const DomainState& s, const RolloutState& r, std::ostringstream& out) {
  RolloutProgress p = ComputeProgress(s, r, kListAll);
  std::vector<std::string> renewed;
  for (const auto& [index, fp] : r.renewed) {
    renewed.push_back(std::string(s.agent_ids.Get(index)) + "=" +
                      std::string(s.fingerprints.Get(fp)));
  }
  std::vector<std::string> steps;
  for (const GatewayStep& g : r.gateway_steps) {
    steps.push_back(g.gateway_id + ":" + std::to_string(static_cast<int>(g.step)) + ":" +
                    std::to_string(g.performed) + ":" + g.performed_by);
  }
  out << "rollout " << r.id << " " << static_cast<int>(r.type) << static_cast<int>(r.phase) << " "
      << ToMicros(r.initiated_at) << " " << r.initiated_by << " " << r.old_fingerprint << ">"
      << r.new_fingerprint << " " << static_cast<int>(r.kind) << static_cast<int>(r.mode) << " "
      << r.required_staged_permille << " [" << Sorted(r.staged_profiles) << "] "
      << r.bindings_switched << " " << static_cast<int>(r.target) << " " << r.renewed_fingerprint
      << " [" << Sorted(r.agent_ids) << "] [" << Sorted(renewed) << "] " << r.gateway_id << " ["
      << Sorted(steps) << "] tracked " << r.tracked << " " << p.received << "/" << p.total << " "
      << p.stale << " " << p.stale_outstanding << " " << p.revoked << " ["
      << Sorted(p.outstanding_agent_ids) << "]\n";
}

// Every fact of `s`, as text (ids, not interned numbers).
std::string Describe(const DomainState& s) {
  std::ostringstream out;
  out << "at " << s.last_sequence << "\n";
  DescribeAgents(s, out);
  for (const auto& [fp, c] : s.certificates) {
    out << "cert " << c.fingerprint << " " << static_cast<int>(c.kind) << " " << c.subject << " "
        << c.issuer << " " << c.serial_hex << " " << ToMicros(c.not_before) << " "
        << ToMicros(c.not_after) << " " << c.key_algorithm << " " << c.agent_id << " "
        << c.active_rollout_id << " " << c.replaced_by_rollout_id << " " << c.replacements_initiated
        << "\n";
  }
  for (const auto& [id, r] : s.rollouts) DescribeRollout(s, r, out);
  for (const auto& [id, g] : s.gateways) {
    out << "gateway " << id << " " << g.auto_refresh << g.setting_recorded << "\n";
  }
  std::map<std::string, uint64_t> streams(s.stream_versions.begin(), s.stream_versions.end());
  for (const auto& [id, v] : streams) out << "stream " << id << " " << v << "\n";
  out << "tracked " << Sorted(s.tracked_rollouts) << "\n";
  return out.str();
}

HistoryShape Shape(uint64_t seed) {
  return HistoryShape{.events = 40 + seed % 200,
                      .agents = 2 + seed % 20,
                      .fingerprints = 2 + seed % 5,
                      .rollouts = 1 + seed % 4};
}

TEST(StateCodecTest, ADecodedSnapshotHoldsEveryFact) {
  for (uint64_t seed = 1; seed <= 150; ++seed) {
    std::vector<TimedEvent> history = RandomHistory(seed, Shape(seed));
    DomainState state;
    Folder().Fold(state, history, 0, history.size());
    Result<DomainState> decoded = DecodeState(EncodeState(state));
    ASSERT_TRUE(decoded.ok()) << "seed " << seed << ": " << decoded.status().ToString();
    ASSERT_EQ(Describe(*decoded), Describe(state)) << "seed " << seed;
  }
}

TEST(StateCodecTest, FoldingOnFromASnapshotEqualsFoldingThrough) {
  for (uint64_t seed = 1; seed <= 150; ++seed) {
    std::vector<TimedEvent> history = RandomHistory(seed, Shape(seed));
    size_t half = history.size() * (1 + seed % 3) / 4;
    DomainState through;
    Folder folder;
    folder.Fold(through, history, 0, half);
    Result<DomainState> restored = DecodeState(EncodeState(through));
    ASSERT_TRUE(restored.ok()) << restored.status().ToString();
    Folder copy = folder;
    folder.Fold(through, history, half, history.size());
    copy.Fold(*restored, history, half, history.size());
    ASSERT_EQ(Describe(*restored), Describe(through))
        << "seed " << seed << ", snapshot at " << half;
  }
}

TEST(StateCodecTest, EveryTruncationIsRefusedAsCorruption) {
  std::vector<TimedEvent> history = RandomHistory(7, Shape(7));
  DomainState state;
  Folder().Fold(state, history, 0, history.size());
  std::string bytes = EncodeState(state);
  for (size_t n = 0; n < bytes.size(); ++n) {
    Result<DomainState> cut = DecodeState(std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(cut.ok()) << "cut at " << n << " of " << bytes.size();
    ASSERT_EQ(cut.status().code(), StatusCode::kCorruption) << cut.status().ToString();
  }
  EXPECT_EQ(DecodeState(bytes + "x").status().code(), StatusCode::kCorruption);
}

TEST(StateCodecTest, AnotherFormatVersionIsRefusedNamingBoth) {
  std::string bytes = EncodeState(DomainState());
  ASSERT_EQ(bytes[0], static_cast<char>(kStateFormatVersion));
  for (char version : {char{0}, static_cast<char>(kStateFormatVersion + 1)}) {
    bytes[0] = version;
    Result<DomainState> decoded = DecodeState(bytes);
    EXPECT_EQ(decoded.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(decoded.status().message().find("format version " + std::to_string(version)),
              std::string::npos)
        << decoded.status().message();
  }
}

std::string Join(const StateEncoder& encoder) {
  std::string out;
  for (std::string_view part : encoder.Parts()) out.append(part);
  return out;
}

// Between the encoder's pieces, the next events of the history are folded
// (as commands run between pieces in CommandService::EncodeSnapshot); tiny
// chunks and slices make every history span many pieces.
TEST(StateEncoderTest, APieceByPieceSnapshotOfAChangingStateIsTheStateAtItsEnd) {
  for (uint64_t seed = 1; seed <= 150; ++seed) {
    std::vector<TimedEvent> history = RandomHistory(seed, Shape(seed));
    DomainState state;
    Folder folder;
    size_t folded = history.size() / 4;
    folder.Fold(state, history, 0, folded);
    StateEncoder encoder({.chunk_agents = 1 + static_cast<uint32_t>(seed % 3),
                          .slice_strings = 2,
                          .final_marked_chunks = seed % 4});
    size_t pieces = 1;
    for (; !encoder.Step(state, &state.changed); ++pieces) {
      size_t next = std::min(history.size(), folded + 1 + seed % 3);
      folder.Fold(state, history, folded, next);
      folded = next;
    }
    ASSERT_FALSE(state.changed.active()) << "seed " << seed;
    ASSERT_GT(pieces, 3u) << "seed " << seed;
    EXPECT_EQ(encoder.sequence(), state.last_sequence) << "seed " << seed;
    Result<DomainState> decoded = DecodeState(Join(encoder));
    ASSERT_TRUE(decoded.ok()) << "seed " << seed << ": " << decoded.status().ToString();
    ASSERT_EQ(Describe(*decoded), Describe(state))
        << "seed " << seed << ", " << pieces << " pieces, " << folded << " events";
  }
}

TEST(StateEncoderTest, AnAbandonedEncodingStopsMarking) {
  std::vector<TimedEvent> history = RandomHistory(5, Shape(5));
  DomainState state;
  Folder().Fold(state, history, 0, history.size());
  StateEncoder encoder({.chunk_agents = 1});
  ASSERT_FALSE(encoder.Step(state, &state.changed));
  EXPECT_TRUE(state.changed.active());
  encoder.Abort(&state.changed);
  EXPECT_FALSE(state.changed.active());
}

TEST(StateCodecTest, ASnapshotOfFormatVersionOneIsRead) {
  std::string bytes;
  ASSERT_TRUE(FromHex(testing::kStateFormatV1Hex, &bytes));
  ASSERT_EQ(bytes[0], char{1});
  Result<DomainState> decoded = DecodeState(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_FALSE(decoded->revocations.empty());
  ASSERT_FALSE(decoded->rejected_reports.empty());
  EXPECT_EQ(Describe(*decoded), testing::kStateFormatV1Description);
}

}  // namespace
}  // namespace rotor::domain
