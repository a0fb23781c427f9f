// The notary over a real RocksDB log: it keeps the tree caught up, signs
// checkpoints when enough records arrive, and signs on request; a checkpoint
// it signed opens with its verifier key and names the tree's root.
#include "services/transparency/notary.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "events/rocksdb_event_log.h"
#include "tests/events/event_log_test_util.h"

namespace rotor::transparency {
namespace {

using ::rotor::testing::Request;
using ::rotor::testing::TempDir;

void Append(EventLog& log, int n) {
  std::vector<std::string> payloads(n, "payload");
  ASSERT_TRUE(log.Append(Request("s", ExpectedVersion::Any(), payloads)).ok());
}

TEST(Notary, SignsTheTreeOnRequestAndTheNoteNamesItsRoot) {
  TempDir dir;
  auto log = RocksDbEventLog::Open(dir.Sub("log"), {.sync = false});
  auto tree = MerkleStore::Open(dir.Sub("tree"));
  ASSERT_TRUE(log.ok() && tree.ok());
  Append(**log, 37);
  Result<NoteSigner> signer = NoteSigner::Generate("rotor.test/log");
  ASSERT_TRUE(signer.ok());
  NotaryOptions options;
  options.origin = "rotor.test/log";
  Notary notary(**log, **tree, *signer, options);
  Result<std::string> note = notary.SignNow();
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  Result<NoteVerifier> verifier = NoteVerifier::Parse(notary.VerifierKey());
  ASSERT_TRUE(verifier.ok());
  Result<std::string> body = verifier->Open(*note);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  Result<Checkpoint> c = ParseCheckpoint(*body);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->origin, "rotor.test/log");
  EXPECT_EQ(c->size, 37u);
  EXPECT_EQ(c->root, *RebuildRoot(**log, 37));
  // The same tree size signs nothing new.
  EXPECT_EQ(*notary.SignNow(), *note);
  auto latest = (*tree)->LatestCheckpoint();
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->first, 37u);
}

TEST(Notary, WithoutASignerKeepsTheTreeAndRefusesToSign) {
  TempDir dir;
  auto log = RocksDbEventLog::Open(dir.Sub("log"), {.sync = false});
  auto tree = MerkleStore::Open(dir.Sub("tree"));
  ASSERT_TRUE(log.ok() && tree.ok());
  Append(**log, 5);
  NotaryOptions options;
  options.origin = "o";
  Notary notary(**log, **tree, std::nullopt, options);
  EXPECT_EQ(*notary.CatchUp(), 5u);
  Result<std::string> note = notary.SignNow();
  EXPECT_EQ(note.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(note.status().message().find("rotorctl keys init"), std::string::npos);
}

TEST(Notary, BackgroundThreadSignsEveryNEvents) {
  TempDir dir;
  auto log = RocksDbEventLog::Open(dir.Sub("log"), {.sync = false});
  auto tree = MerkleStore::Open(dir.Sub("tree"));
  ASSERT_TRUE(log.ok() && tree.ok());
  std::mutex mu;
  std::condition_variable cv;
  std::vector<uint64_t> signed_sizes;
  NotaryOptions options{.origin = "o",
                        .every_events = 10,
                        .every = std::chrono::hours(1),
                        .on_checkpoint = [&](uint64_t size, const std::string&) {
                          std::lock_guard<std::mutex> lock(mu);
                          signed_sizes.push_back(size);
                          cv.notify_all();
                        }};
  Notary notary(**log, **tree, *NoteSigner::Generate("o"), options);
  notary.Start();
  Append(**log, 4);
  Append(**log, 12);
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30),
                            [&] { return !signed_sizes.empty() && signed_sizes.back() == 16; }));
  }
  notary.Stop();
  std::lock_guard<std::mutex> lock(mu);
  for (uint64_t s : signed_sizes) EXPECT_GE(s, 10u);
}

}  // namespace
}  // namespace rotor::transparency
