// The deciders' state snapshots through a real Engine on RocksDB: a restart
// restores the newest usable snapshot and folds only what follows it; a
// damaged snapshot, one of another log, one past the log's head and one of
// another format are passed over (an older one, or the log from sequence 1,
// gives the state), never used.
#include "services/app/state_snapshots.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "events/rocksdb_event_log.h"
#include "services/app/state_snapshotter.h"
#include "services/domain/state_codec.h"
#include "tests/services/app/engine_test_util.h"

namespace rotor::app::testing {
namespace {

using nlohmann::json;

class StateSnapshotsTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    std::string old_fp = RegisterServerCert("snap-old.example.com");
    std::string new_fp = RegisterServerCert("snap-new.example.com");
    for (const char* agent : {"a1", "a2", "a3"}) {
      ASSERT_EQ(Report(std::string("rep-") + agent, agent, "2026-02-27T00:00:00Z", {old_fp}).status,
                200);
    }
    Reply r = CallJson(
        "POST", "/v1/replacements",
        json{{"rollout_id", "r1"}, {"old_fingerprint", old_fp}, {"new_fingerprint", new_fp}},
        Operator());
    ASSERT_EQ(r.status, 200) << r.body;
  }

  std::string SnapshotDir() { return dir_->Sub("data") + "/snapshots/state"; }

  // The outstanding count a refused finalize reports: what the deciders believe.
  int Outstanding() {
    Reply refused = CallJson("POST", "/v1/rollouts/r1/finalize", json::object(), Operator());
    EXPECT_EQ(refused.status, 412) << refused.body;
    return refused.json["error"]["details"]["outstanding"].get<int>();
  }

  // With the engine closed: the state of the newest snapshot and the log's head record.
  domain::DomainState NewestSnapshot(RecordedEvent* head) {
    Result<std::unique_ptr<RocksDbEventLog>> log =
        RocksDbEventLog::Open(dir_->Sub("data") + "/events");
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    EXPECT_TRUE((*log)->ReadOne((*log)->Head(), head).ok());
    Result<std::optional<domain::DomainState>> state = StateSnapshots(SnapshotDir()).Load(**log);
    EXPECT_TRUE(state.ok() && state->has_value());
    return std::move(**state);
  }

  // Closes the engine and writes a snapshot at the head in which agent a1
  // is deleted (which the log does not say): a start that uses it reports
  // 2 outstanding agents instead of 3. Returns the snapshot's path.
  std::string WriteDoctoredSnapshot() {
    engine_.reset();
    RecordedEvent head;
    domain::DomainState state = NewestSnapshot(&head);
    EXPECT_EQ(state.last_sequence, head.sequence) << "Close snapshots the state at the head";
    state.agents[state.agent_ids.Find("a1")].deleted = true;
    state.rollouts.at("r1").counters.total -= 1;
    std::filesystem::remove_all(SnapshotDir());
    StateSnapshots snapshots(SnapshotDir());
    EXPECT_TRUE(snapshots.Write(head.sequence, head.hash, domain::EncodeState(state)).ok());
    return snapshots.PathOf(head.sequence);
  }
};

TEST_F(StateSnapshotsTest, ARestartUsesTheSnapshotAndFoldsOnlyWhatFollows) {
  EXPECT_EQ(Outstanding(), 3);
  WriteDoctoredSnapshot();
  Reopen();
  EXPECT_EQ(Outstanding(), 2) << "the deciders' state came from the snapshot, not from the log";
  // What follows the snapshot is folded: a1 reports again and counts again.
  Reply again = Report("rep-a1-2", "a1", "2026-02-28T00:00:00Z", {});
  ASSERT_EQ(again.status, 200) << again.body;
  engine_.reset();
  std::filesystem::remove_all(SnapshotDir());
  Reopen();
  EXPECT_EQ(Outstanding(), 2) << "a1 no longer holds the old certificate; folded from sequence 1";
}

TEST_F(StateSnapshotsTest, ADamagedSnapshotIsPassedOver) {
  std::string path = WriteDoctoredSnapshot();
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(60);
  file.put('\x7f');
  file.close();
  Reopen();
  EXPECT_EQ(Outstanding(), 3) << "folded from the log, not from the damaged snapshot";
}

TEST_F(StateSnapshotsTest, ASnapshotOfAnotherLogIsPassedOver) {
  WriteDoctoredSnapshot();
  RecordedEvent head;
  domain::DomainState state = NewestSnapshot(&head);
  std::filesystem::remove_all(SnapshotDir());
  Sha256Digest other = head.hash;
  other[0] ^= 1;  // the hash a record at this sequence has in another log
  ASSERT_TRUE(
      StateSnapshots(SnapshotDir()).Write(head.sequence, other, domain::EncodeState(state)).ok());
  Reopen();
  EXPECT_EQ(Outstanding(), 3);
}

TEST_F(StateSnapshotsTest, ASnapshotPastTheHeadOrOfAnotherFormatIsPassedOver) {
  WriteDoctoredSnapshot();
  RecordedEvent head;
  domain::DomainState state = NewestSnapshot(&head);
  std::filesystem::remove_all(SnapshotDir());
  StateSnapshots snapshots(SnapshotDir());
  state.last_sequence = head.sequence + 5;
  ASSERT_TRUE(snapshots.Write(head.sequence + 5, head.hash, domain::EncodeState(state)).ok());
  state.last_sequence = head.sequence;
  std::string older = domain::EncodeState(state);
  older[0] = 0;  // format version 0: a build before this one
  ASSERT_TRUE(snapshots.Write(head.sequence, head.hash, older).ok());
  Reopen();
  EXPECT_EQ(Outstanding(), 3);
}

TEST_F(StateSnapshotsTest, TheNewestUsableSnapshotWinsAndOnlyTheNewestAreKept) {
  WriteDoctoredSnapshot();
  Reopen();
  ASSERT_EQ(Outstanding(), 2);  // appends a CommandRefused: Close snapshots a newer state
  engine_.reset();
  Result<std::vector<uint64_t>> kept = StateSnapshots(SnapshotDir()).List();
  ASSERT_TRUE(kept.ok());
  ASSERT_EQ(kept->size(), 2u);
  // Damage the newest: the doctored one, older, is used.
  std::fstream file(StateSnapshots(SnapshotDir()).PathOf(kept->front()),
                    std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(60);
  file.put('\x7f');
  file.close();
  Reopen();
  EXPECT_EQ(Outstanding(), 2) << "the older doctored snapshot, then the refusals folded on";
}

// The snapshotter on its own: a snapshot when enough events were folded, none
// when nothing is new, one at Stop, and only the newest `keep` on disk.
class StateSnapshotterTest : public ::testing::Test {
 protected:
  void Report(const std::string& agent) {
    domain::IngestAgentReport report{AgentReport{"rep-" + agent + std::to_string(reports_++),
                                                 agent,
                                                 At("2026-02-27T00:00:00Z"),
                                                 {},
                                                 "",
                                                 "",
                                                 false},
                                     At("2026-03-01T00:00:00Z"), "relay"};
    ASSERT_TRUE(commands_.Execute(report).ok());
  }

  static std::unique_ptr<RocksDbEventLog> OpenLog(const std::string& path) {
    Result<std::unique_ptr<RocksDbEventLog>> log = RocksDbEventLog::Open(path);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(*log) : nullptr;
  }

  TempDir dir_;
  std::unique_ptr<RocksDbEventLog> log_ = OpenLog(dir_.Sub("events"));
  domain::CommandService commands_{*log_};
  StateSnapshots snapshots_{dir_.Sub("snapshots"), 2};
  int reports_ = 0;
};

TEST_F(StateSnapshotterTest, TakesOneWhenDueNoneWhenNothingIsNewAndOneAtStop) {
  StateSnapshotter snapshotter(commands_, *log_, snapshots_,
                               {.every_events = 3,
                                .min_interval = std::chrono::milliseconds(0),
                                .poll = std::chrono::milliseconds(1)},
                               0);
  Result<uint64_t> none = snapshotter.TakeNow();
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0u) << "an empty log has nothing to snapshot";
  Report("a1");
  Result<uint64_t> first = snapshotter.TakeNow();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, log_->Head());
  EXPECT_EQ(*snapshotter.TakeNow(), *first) << "nothing new: no second file";
  EXPECT_EQ(snapshots_.List()->size(), 1u);

  snapshotter.Start();
  for (const char* agent : {"a2", "a3", "a4"}) Report(agent);
  // The thread takes one once 3 events follow the last: wait for it (bounded).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (snapshots_.List()->front() != log_->Head() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(snapshots_.List()->front(), log_->Head());
  Report("a5");
  snapshotter.Stop();
  Result<std::vector<uint64_t>> kept = snapshots_.List();
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(*kept, (std::vector<uint64_t>{log_->Head(), log_->Head() - 1}))
      << "the one at Stop, and the newest before it";
  Result<std::optional<domain::DomainState>> loaded = snapshots_.Load(*log_);
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  EXPECT_NE((*loaded)->FindAgent("a5"), nullptr);
}

}  // namespace
}  // namespace rotor::app::testing
