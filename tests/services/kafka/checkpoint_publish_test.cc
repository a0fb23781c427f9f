// Signed checkpoints on Kafka (services/kafka/checkpoint_publisher.h), against
// a real broker, read back with Debian's kcat and verified with the note
// verifier: the publisher on its own, and rotord publishing the checkpoints
// its notary signs (--checkpoint-key with --kafka-brokers).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>

#include "events/merkle_store.h"
#include "events/rocksdb_event_log.h"
#include "services/kafka/checkpoint_publisher.h"
#include "services/kafka/relay_checkpoint.h"
#include "services/kafka/topic_admin.h"
#include "services/transparency/checkpoint.h"
#include "services/transparency/note.h"
#include "tests/services/kafka/kafka_test_util.h"
#include "tests/testing/files.h"
#include "tests/testing/temp_dir.h"

namespace rotor::kafka {
namespace {

using testing::Kcat;
using testing::KcatRecord;
using testing::WaitFor;

class CheckpointPublishTest : public testing::KafkaTest {
 protected:
  void SetUp() override {
    topic_ = testing::UniqueTopic("checkpoints");
    ASSERT_TRUE(EnsureTopic(Client(), topic_, 1).ok());
    Result<transparency::NoteSigner> signer = transparency::NoteSigner::Generate("rotor.test/prod");
    ASSERT_TRUE(signer.ok()) << signer.status().ToString();
    signer_ = std::make_unique<transparency::NoteSigner>(std::move(*signer));
  }
  // The checkpoint a record carries, after checking its key and signature.
  transparency::Checkpoint Verified(const KcatRecord& record) {
    EXPECT_EQ(record.key, "rotor.test/prod");
    Result<transparency::NoteVerifier> verifier =
        transparency::NoteVerifier::Parse(signer_->VerifierKey());
    EXPECT_TRUE(verifier.ok());
    Result<std::string> text = verifier->Open(record.value);
    EXPECT_TRUE(text.ok()) << text.status().ToString() << "\n" << record.value;
    if (!text.ok()) return {};
    Result<transparency::Checkpoint> checkpoint = transparency::ParseCheckpoint(*text);
    EXPECT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
    return checkpoint.ok() ? *checkpoint : transparency::Checkpoint{};
  }

  // The records on the topic once there is one (none after two minutes).
  std::vector<KcatRecord> WaitForRecords() {
    std::vector<KcatRecord> records;
    WaitFor(
        [&] {
          records = Kcat(bootstrap(), topic_);
          return !records.empty();
        },
        std::chrono::minutes(2));
    return records;
  }

  std::string topic_;
  std::unique_ptr<transparency::NoteSigner> signer_;
  rotor::testing::TempDir dir_;
};

TEST_F(CheckpointPublishTest, PublishesTheSignedNoteKeyedByItsOrigin) {
  const std::string published = dir_.Sub("published");
  Result<std::unique_ptr<CheckpointPublisher>> publisher =
      CheckpointPublisher::Create(Client(), topic_, published);
  ASSERT_TRUE(publisher.ok()) << publisher.status().ToString();
  EXPECT_EQ((*publisher)->Publish(1, "no origin line").code(), StatusCode::kInvalidArgument);
  for (uint64_t size : {10u, 20u}) {
    Result<std::string> note =
        signer_->Sign(transparency::FormatCheckpoint({"rotor.test/prod", size, Sha256("root")}));
    ASSERT_TRUE(note.ok());
    ASSERT_TRUE((*publisher)->Publish(size, *note).ok());
  }
  ASSERT_TRUE((*publisher)->Flush(std::chrono::seconds(60)).ok());
  EXPECT_EQ((*publisher)->delivered(), 2u);
  // The largest acknowledged tree size is kept for the next start.
  EXPECT_EQ((*publisher)->published_size(), 20u);
  Result<std::unique_ptr<CheckpointPublisher>> again =
      CheckpointPublisher::Create(Client(), topic_, published);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->published_size(), 20u);
  std::vector<KcatRecord> records = Kcat(bootstrap(), topic_);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(Verified(records[0]).size, 10u);
  EXPECT_EQ(Verified(records[1]).size, 20u);
  // A note changed in transit does not verify.
  KcatRecord forged = records[1];
  forged.value[forged.value.find("20\n")] = '3';
  EXPECT_FALSE(transparency::NoteVerifier::Parse(signer_->VerifierKey())->Open(forged.value).ok());
}

// A data directory whose log holds `events` events, the signer's key file
// and the Kafka settings rotord is started with.
void PrepareRotord(const rotor::testing::TempDir& dir, const transparency::NoteSigner& signer,
                   const std::string& topic, uint64_t events) {
  std::filesystem::create_directories(dir.Sub("data"));
  {
    auto log = RocksDbEventLog::Open(dir.Sub("data") + "/events");
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    testing::FillLog(**log, events, 50, 4);
  }
  rotor::testing::WriteFile(dir.Sub("key"), signer.SignerKey() + "\n");
  rotor::testing::WriteFile(
      dir.Sub("kafka.conf"),
      "checkpoints.topic = " + topic + "\nevents.topic = " + topic + ".events\nconsume = false\n");
}

// rotord on that directory with Kafka and the key, and `extra` flags.
pid_t StartRotord(const rotor::testing::TempDir& dir, const std::string& bootstrap,
                  std::vector<std::string> extra, const std::string& log_name) {
  std::vector<std::string> args = {"--data",         dir.Sub("data"),       "--listen",
                                   "127.0.0.1:0",    "--kafka-brokers",     bootstrap,
                                   "--kafka-config", dir.Sub("kafka.conf"), "--checkpoint-key",
                                   dir.Sub("key")};
  args.insert(args.end(), extra.begin(), extra.end());
  return testing::SpawnProcess(ROTORD, args, dir.Sub(log_name));
}

// Stops rotord with SIGTERM; true when it exited with status 0.
bool StopRotord(pid_t pid) {
  int status = 0;
  return kill(pid, SIGTERM) == 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
         WEXITSTATUS(status) == 0;
}

TEST_F(CheckpointPublishTest, RotordPublishesTheCheckpointsItSigns) {
  constexpr uint64_t kEvents = 300;
  PrepareRotord(dir_, *signer_, topic_, kEvents);
  pid_t pid = StartRotord(dir_, bootstrap(), {"--checkpoint-every-events", "1"}, "rotord.log");
  ASSERT_GT(pid, 0);
  std::vector<KcatRecord> records = WaitForRecords();
  bool seen = !records.empty();
  ASSERT_TRUE(StopRotord(pid));
  ASSERT_TRUE(seen) << "no checkpoint on " << topic_ << "; see " << dir_.Sub("rotord.log");
  EXPECT_EQ(Verified(records.back()).size, kEvents);
}

// A checkpoint signed while no broker received it (stored in the tree as a
// notary without Kafka stores it) is published when rotord starts with
// Kafka; once acknowledged, the next start publishes nothing again.
TEST_F(CheckpointPublishTest, RotordPublishesAtStartACheckpointNoBrokerAcknowledged) {
  constexpr uint64_t kEvents = 120;
  PrepareRotord(dir_, *signer_, topic_, kEvents);
  std::string note;
  {
    auto log = RocksDbEventLog::Open(dir_.Sub("data") + "/events");
    ASSERT_TRUE(log.ok());
    auto tree = MerkleStore::Open(dir_.Sub("data") + "/merkle");
    ASSERT_TRUE(tree.ok()) << tree.status().ToString();
    ASSERT_EQ(*(*tree)->CatchUp(**log), kEvents);
    Result<std::string> signed_note = signer_->Sign(
        transparency::FormatCheckpoint({"rotor.test/prod", kEvents, *(*tree)->Root(kEvents)}));
    ASSERT_TRUE(signed_note.ok());
    note = *signed_note;
    ASSERT_TRUE((*tree)->PutCheckpoint(kEvents, note).ok());
  }
  // Nothing new to sign: only the stored checkpoint can reach the topic.
  std::vector<std::string> quiet = {"--checkpoint-every-events",
                                    "1000000",
                                    "--checkpoint-every",
                                    "24h",
                                    "--port-file",
                                    dir_.Sub("port")};
  pid_t pid = StartRotord(dir_, bootstrap(), quiet, "rotord-1.log");
  ASSERT_GT(pid, 0);
  std::vector<KcatRecord> records = WaitForRecords();
  bool seen = !records.empty();
  ASSERT_TRUE(StopRotord(pid));
  ASSERT_TRUE(seen) << "no checkpoint on " << topic_ << "; see " << dir_.Sub("rotord-1.log");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].value, note);
  EXPECT_EQ(Verified(records[0]).size, kEvents);
  Result<RelayPosition> published =
      RelayCheckpointFile(dir_.Sub("data") + "/kafka-checkpoints.published", nullptr,
                          "rotor-checkpoints-published")
          .Load();
  ASSERT_TRUE(published.ok()) << published.status().ToString();
  EXPECT_EQ(published->sequence, kEvents);

  // Started again: listening means the start's decision was taken (the
  // notary starts before rotord listens); stopping flushes what it queued.
  std::filesystem::remove(dir_.Sub("port"));
  pid = StartRotord(dir_, bootstrap(), quiet, "rotord-2.log");
  ASSERT_GT(pid, 0);
  bool listening =
      WaitFor([&] { return std::filesystem::exists(dir_.Sub("port")); }, std::chrono::minutes(2));
  ASSERT_TRUE(StopRotord(pid));
  ASSERT_TRUE(listening) << "see " << dir_.Sub("rotord-2.log");
  EXPECT_EQ(Kcat(bootstrap(), topic_).size(), 1u);
}

}  // namespace
}  // namespace rotor::kafka
