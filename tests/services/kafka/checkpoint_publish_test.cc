// Signed checkpoints on Kafka (services/kafka/checkpoint_publisher.h), against
// a real broker, read back with Debian's kcat and verified with the note
// verifier: the publisher on its own, and rotord publishing the checkpoints
// its notary signs (--checkpoint-key with --kafka-brokers).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>

#include "events/rocksdb_event_log.h"
#include "services/kafka/checkpoint_publisher.h"
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

  std::string topic_;
  std::unique_ptr<transparency::NoteSigner> signer_;
  rotor::testing::TempDir dir_;
};

TEST_F(CheckpointPublishTest, PublishesTheSignedNoteKeyedByItsOrigin) {
  Result<std::unique_ptr<CheckpointPublisher>> publisher =
      CheckpointPublisher::Create(Client(), topic_);
  ASSERT_TRUE(publisher.ok()) << publisher.status().ToString();
  EXPECT_EQ((*publisher)->Publish("no origin line").code(), StatusCode::kInvalidArgument);
  for (uint64_t size : {10u, 20u}) {
    Result<std::string> note =
        signer_->Sign(transparency::FormatCheckpoint({"rotor.test/prod", size, Sha256("root")}));
    ASSERT_TRUE(note.ok());
    ASSERT_TRUE((*publisher)->Publish(*note).ok());
  }
  ASSERT_TRUE((*publisher)->Flush(std::chrono::seconds(60)).ok());
  EXPECT_EQ((*publisher)->delivered(), 2u);
  std::vector<KcatRecord> records = Kcat(bootstrap(), topic_);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(Verified(records[0]).size, 10u);
  EXPECT_EQ(Verified(records[1]).size, 20u);
  // A note changed in transit does not verify.
  KcatRecord forged = records[1];
  forged.value[forged.value.find("20\n")] = '3';
  EXPECT_FALSE(transparency::NoteVerifier::Parse(signer_->VerifierKey())->Open(forged.value).ok());
}

TEST_F(CheckpointPublishTest, RotordPublishesTheCheckpointsItSigns) {
  constexpr uint64_t kEvents = 300;
  std::filesystem::create_directories(dir_.Sub("data"));
  {
    auto log = RocksDbEventLog::Open(dir_.Sub("data") + "/events");
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    testing::FillLog(**log, kEvents, 50, 4);
  }
  rotor::testing::WriteFile(dir_.Sub("key"), signer_->SignerKey() + "\n");
  rotor::testing::WriteFile(dir_.Sub("kafka.conf"), "checkpoints.topic = " + topic_ +
                                                        "\nevents.topic = " + topic_ +
                                                        ".events\nconsume = false\n");
  pid_t pid = testing::SpawnProcess(
      ROTORD,
      {"--data", dir_.Sub("data"), "--listen", "127.0.0.1:0", "--kafka-brokers", bootstrap(),
       "--kafka-config", dir_.Sub("kafka.conf"), "--checkpoint-key", dir_.Sub("key"),
       "--checkpoint-every-events", "1"},
      dir_.Sub("rotord.log"));
  ASSERT_GT(pid, 0);
  std::vector<KcatRecord> records;
  bool seen = WaitFor(
      [&] {
        records = Kcat(bootstrap(), topic_);
        return !records.empty();
      },
      std::chrono::minutes(2));
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(seen) << "no checkpoint on " << topic_ << "; see " << dir_.Sub("rotord.log");
  EXPECT_EQ(Verified(records.back()).size, kEvents);
}

}  // namespace
}  // namespace rotor::kafka
