// End to end for auditors holding a checkpoint (docs/audit.md): a real
// RocksDB data directory, checkpoints signed by the Engine, then
// `rotorctl verify --checkpoint` as a process after the log was extended,
// cut off, rewritten or forked behind its back, and offline on an export.
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "events/record.h"
#include "services/app/engine.h"
#include "services/transparency/note.h"
#include "tests/e2e/e2e_process.h"
#include "tests/events/raw_rocksdb.h"
#include "tests/testing/temp_dir.h"

namespace rotor::testing {
namespace {

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.Sub("data");
    key_file_ = dir_.Sub("checkpoint.key");
    ToolResult init =
        RunTool("rotorctl", {"keys", "init", "--name", "rotor.test/e2e", "--out", key_file_});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    verifier_key_ = init.out.substr(0, init.out.find('\n'));
    ASSERT_TRUE(transparency::NoteVerifier::Parse(verifier_key_).ok()) << verifier_key_;
  }

  // Opens the data directory in-process, appends `count` gateway settings
  // (one event each) from gateway `first` on and, with `checkpoint`, saves a
  // signed checkpoint to `checkpoint_file_`.
  void AppendEvents(int first, int count, bool checkpoint) {
    app::EngineOptions options;
    options.data_dir = data_;
    options.checkpoint_key_path = key_file_;
    options.checkpoint_every_events = 1000000;
    auto engine = app::Engine::Open(options);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    app::Principal admin{"alice", app::Role::kAdmin, ""};
    for (int i = first; i < first + count; ++i) {
      app::ApiRequest request;
      request.method = "PUT";
      request.path = "/v1/gateways/gw-" + std::to_string(i);
      request.body = R"({"auto_refresh": false})";
      request.principal = admin;
      app::ApiResponse r = (*engine)->Handle(request);
      ASSERT_EQ(r.status, 200) << r.body;
    }
    if (checkpoint) {
      app::ApiRequest request;
      request.method = "POST";
      request.path = "/v1/checkpoints";
      request.body = "{}";
      request.principal = admin;
      app::ApiResponse r = (*engine)->Handle(request);
      ASSERT_EQ(r.status, 200) << r.body;
      std::ofstream(checkpoint_file_) << r.body;
    }
  }

  ToolResult VerifyAgainstCheckpoint(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--data",         data_,   "verify",     "--checkpoint",
                                     checkpoint_file_, "--key", verifier_key_};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunTool("rotorctl", args);
  }

  // Rewrites the payload of record `sequence` and reseals the chain from
  // there to `head`, so that the hash chain alone still holds.
  void RewriteFrom(uint64_t sequence, uint64_t head) {
    RawRocksDb raw(data_ + "/events");
    ASSERT_TRUE(raw.ok());
    RecordedEvent prev;
    ASSERT_TRUE(DecodeStoredRecord(sequence - 1, raw.GetEvent(sequence - 1), &prev).ok());
    for (uint64_t s = sequence; s <= head; ++s) {
      RecordedEvent e;
      ASSERT_TRUE(DecodeStoredRecord(s, raw.GetEvent(s), &e).ok());
      if (s == sequence) e.actor = "mallory";
      e.prev_hash = prev.hash;
      raw.PutEvent(s, SealRecord(e));
      prev = e;
    }
  }

  TempDir dir_;
  std::string data_;
  std::string key_file_;
  std::string verifier_key_;
  std::string checkpoint_file_ = dir_.Sub("saved.checkpoint");
};

TEST_F(CheckpointTest, TheLatestCheckpointsAreListedWithTheirRootAndTime) {
  ASSERT_NO_FATAL_FAILURE(AppendEvents(0, 3, true));
  ASSERT_NO_FATAL_FAILURE(AppendEvents(10, 2, true));
  ASSERT_NO_FATAL_FAILURE(AppendEvents(20, 4, true));
  app::EngineOptions options;
  options.data_dir = data_;
  options.checkpoint_key_path = key_file_;
  auto engine = app::Engine::Open(options);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  auto get = [&](const std::string& path, std::map<std::string, std::string> query) {
    app::ApiRequest request;
    request.method = "GET";
    request.path = path;
    request.query = std::move(query);
    request.principal = app::Principal{"ada", app::Role::kAuditor, ""};
    return (*engine)->Handle(request);
  };
  app::ApiResponse all = get("/v1/checkpoints", {});
  ASSERT_EQ(all.status, 200) << all.body;
  auto sizes = nlohmann::json::parse(all.body)["tree_sizes"].get<std::vector<uint64_t>>();
  ASSERT_EQ(sizes.size(), 3u);
  app::ApiResponse latest = get("/v1/checkpoints", {{"latest", "2"}});
  ASSERT_EQ(latest.status, 200) << latest.body;
  nlohmann::json listed = nlohmann::json::parse(latest.body)["checkpoints"];
  ASSERT_EQ(listed.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    uint64_t size = sizes[2 - i];
    EXPECT_EQ(listed[i]["tree_size"], size);
    // The root the signed note names, and the time of the last event it covers.
    app::ApiResponse note = get("/v1/checkpoint", {{"tree_size", std::to_string(size)}});
    ASSERT_EQ(note.status, 200);
    std::string root = note.body.substr(note.body.find('\n', note.body.find('\n') + 1) + 1);
    EXPECT_EQ(listed[i]["root_hash"], root.substr(0, root.find('\n')));
    app::ApiResponse event = get("/v1/events", {{"from", std::to_string(size)}, {"limit", "1"}});
    EXPECT_EQ(listed[i]["recorded_at"],
              nlohmann::json::parse(event.body)["events"][0]["recorded_at"]);
  }
  EXPECT_EQ(get("/v1/checkpoints", {{"latest", "1001"}}).status, 400);
}

TEST_F(CheckpointTest, ALogThatGrewStillExtendsTheSavedCheckpoint) {
  ASSERT_NO_FATAL_FAILURE(AppendEvents(0, 40, true));
  ASSERT_NO_FATAL_FAILURE(AppendEvents(100, 25, false));
  ToolResult r = VerifyAgainstCheckpoint();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("the log extends checkpoint rotor.test/e2e at tree size 40: 65 records"),
            std::string::npos)
      << r.out;
}

TEST_F(CheckpointTest, ACutOffTailIsReportedWithItsFirstMissingSequence) {
  ASSERT_NO_FATAL_FAILURE(AppendEvents(0, 40, true));
  {
    RawRocksDb raw(data_ + "/events");
    for (uint64_t s = 31; s <= 40; ++s) raw.DeleteEvent(s);
  }
  ToolResult r = VerifyAgainstCheckpoint();
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("sequence 31: the log ends at sequence 30 but the Merkle tree holds 40"),
            std::string::npos)
      << r.err;
  // With the tree removed too, the checkpoint alone still catches it.
  std::filesystem::remove_all(data_ + "/merkle");
  r = VerifyAgainstCheckpoint();
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("sequence 31: the log ends at sequence 30 but the checkpoint covers 40"),
            std::string::npos)
      << r.err;
}

TEST_F(CheckpointTest, ARewrittenRecordIsNamedEvenWhenTheChainWasResealed) {
  ASSERT_NO_FATAL_FAILURE(AppendEvents(0, 40, true));
  ASSERT_NO_FATAL_FAILURE(RewriteFrom(17, 40));
  ToolResult r = VerifyAgainstCheckpoint();
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("sequence 17: the record differs from the one the Merkle tree recorded"),
            std::string::npos)
      << r.err;
}

TEST_F(CheckpointTest, AForkWithARebuiltTreeFailsTheConsistencyProof) {
  ASSERT_NO_FATAL_FAILURE(AppendEvents(0, 40, true));
  ASSERT_NO_FATAL_FAILURE(RewriteFrom(17, 40));
  std::filesystem::remove_all(data_ + "/merkle");
  ToolResult r = VerifyAgainstCheckpoint();
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("sequence 40: the log's first 40 records are not the ones the checkpoint "
                       "signed"),
            std::string::npos)
      << r.err;
}

TEST_F(CheckpointTest, ACheckpointWithABadSignatureIsRefused) {
  ASSERT_NO_FATAL_FAILURE(AppendEvents(0, 10, true));
  std::string note;
  {
    std::ifstream in(checkpoint_file_);
    note.assign(std::istreambuf_iterator<char>(in), {});
  }
  note.replace(note.find("\n10\n"), 4, "\n11\n");
  std::ofstream(checkpoint_file_) << note;
  ToolResult r = VerifyAgainstCheckpoint();
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("refusing the checkpoint"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("does not verify"), std::string::npos) << r.err;
}

TEST_F(CheckpointTest, AnExportIsCheckedOfflineAgainstTheCheckpoint) {
  ASSERT_NO_FATAL_FAILURE(AppendEvents(0, 40, true));
  ASSERT_NO_FATAL_FAILURE(AppendEvents(100, 5, false));
  std::string whole = dir_.Sub("log.bin");
  std::string part = dir_.Sub("part.bin");
  ToolResult r =
      RunTool("rotorctl", {"--data", data_, "export", "--format", "protobuf", "-o", whole});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunTool("rotorctl",
              {"--data", data_, "export", "--format", "protobuf", "--to", "25", "-o", part});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = VerifyAgainstCheckpoint({"--export", whole});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("at tree size 40: 45 records"), std::string::npos) << r.out;
  r = VerifyAgainstCheckpoint({"--export", part});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("sequence 26: the log ends at sequence 25 but the checkpoint covers 40"),
            std::string::npos)
      << r.err;
}

TEST_F(CheckpointTest, ProveChecksAnEventAgainstTheSignedCheckpoint) {
  ASSERT_NO_FATAL_FAILURE(AppendEvents(0, 40, true));
  ToolResult r = RunTool("rotorctl", {"--data", data_, "prove", "17", "--key", verifier_key_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("leaf index 16 in tree size 40"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("verified: event 17 is in the log that the signed checkpoint names"),
            std::string::npos)
      << r.out;
  // The record rewritten afterwards no longer hashes to the leaf the tree holds.
  ASSERT_NO_FATAL_FAILURE(RewriteFrom(17, 40));
  r = RunTool("rotorctl", {"--data", data_, "prove", "17", "--key", verifier_key_});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("event 17 is not proven"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace rotor::testing
