// The deciders' state snapshots through a real Engine on RocksDB: a restart
// restores the newest usable snapshot and folds only what follows it; a
// damaged snapshot, one of another log, one past the log's head and one of
// another format are passed over (an older one, or the log from sequence 1,
// gives the state), never used.
#include "services/app/state_snapshots.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "events/rocksdb_event_log.h"
#include "services/domain/state_codec.h"
#include "tests/services/engine_test_util.h"

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

}  // namespace
}  // namespace rotor::app::testing
