// RocksDbEventLog beyond the conformance suite: what survives a reopen, the
// directory lock, the format marker, and group commit.
#include "events/rocksdb_event_log.h"

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/hash.h"
#include "events/verify.h"
#include "tests/events/event_log_test_util.h"
#include "tests/events/raw_rocksdb.h"
#include "tests/testing/temp_dir.h"

namespace rotor::testing {
namespace {

std::unique_ptr<RocksDbEventLog> OpenOrDie(const std::string& path) {
  auto log = RocksDbEventLog::Open(path);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? std::move(log).value() : nullptr;
}

TEST(RocksDbEventLogTest, ReopenKeepsHeadStreamsIdempotencyAndTheChain) {
  TempDir dir;
  Sha256Digest head_hash{};
  {
    auto log = OpenOrDie(dir.path());
    ASSERT_NE(log, nullptr);
    ASSERT_OK(log->Append(Request("a", ExpectedVersion::NoStream(), {"a1", "a2"}, "key-a")));
    ASSERT_OK(log->Append(Request("b", ExpectedVersion::NoStream(), {"b1"})));
    RecordedEvent last;
    ASSERT_OK(log->ReadOne(3, &last));
    head_hash = last.hash;
  }
  auto log = OpenOrDie(dir.path());
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->Head(), 3u);
  EXPECT_EQ(*log->StreamVersion("a"), 2u);
  EXPECT_EQ(*log->StreamVersion("b"), 1u);

  auto dup = log->Append(Request("a", ExpectedVersion::NoStream(), {"a1", "a2"}, "key-a"));
  ASSERT_OK(dup);
  EXPECT_TRUE(dup->duplicate);
  EXPECT_EQ(dup->first_sequence, 1u);
  EXPECT_EQ(dup->last_sequence, 2u);
  EXPECT_EQ(dup->stream_version, 2u);

  auto conflict = log->Append(Request("a", ExpectedVersion::Exact(1), {"x"}));
  EXPECT_EQ(conflict.status().code(), StatusCode::kConflict);

  auto next = log->Append(Request("a", ExpectedVersion::Exact(2), {"a3"}));
  ASSERT_OK(next);
  EXPECT_EQ(next->first_sequence, 4u);
  EXPECT_EQ(next->stream_version, 3u);
  RecordedEvent fourth;
  ASSERT_OK(log->ReadOne(4, &fourth));
  EXPECT_EQ(fourth.prev_hash, head_hash);

  auto report = Verify(*log);
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->events, 4u);
  EXPECT_EQ(report->head_hash, fourth.hash);
}

std::vector<std::pair<uint64_t, std::string>> StoredRecords(const EventLog& log) {
  std::vector<std::pair<uint64_t, std::string>> out;
  EXPECT_OK(log.ScanStored(1, Direction::kForward, [&](uint64_t seq, std::string_view value) {
    out.emplace_back(seq, std::string(value));
    return true;
  }));
  return out;
}

TEST(RocksDbEventLogTest, CompactAllKeepsEveryStoredByteStreamsIdempotencyAndTheChain) {
  TempDir dir;
  auto log = OpenOrDie(dir.path());
  ASSERT_NE(log, nullptr);
  ASSERT_OK(log->Append(Request("a", ExpectedVersion::NoStream(), {"a1", "a2"}, "key-a")));
  ASSERT_OK(log->Append(Request("b", ExpectedVersion::NoStream(), {"b1"})));
  auto before = StoredRecords(*log);
  ASSERT_EQ(before.size(), 3u);

  ASSERT_OK(log->CompactAll());

  EXPECT_EQ(StoredRecords(*log), before);
  EXPECT_EQ(*log->StreamVersion("a"), 2u);
  auto dup = log->Append(Request("a", ExpectedVersion::NoStream(), {"a1", "a2"}, "key-a"));
  ASSERT_OK(dup);
  EXPECT_TRUE(dup->duplicate);
  ASSERT_OK(log->Append(Request("b", ExpectedVersion::Exact(1), {"b2"})));
  auto report = Verify(*log);
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->events, 4u);
}

// The bytes of the table files (*.sst) under `dir`.
uint64_t TableBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".sst") total += entry.file_size();
  }
  return total;
}

TEST(RocksDbEventLogTest, CompactAllLeavesTheEventsCompressedDensely) {
  TempDir dir;
  auto log = OpenOrDie(dir.path());
  ASSERT_NE(log, nullptr);
  const std::string fingerprint = ToHex(Sha256("old certificate"));
  for (int batch = 0; batch < 20; ++batch) {
    std::vector<std::string> payloads;
    for (int i = 0; i < 1000; ++i) {
      payloads.push_back("agent-" + std::to_string(batch * 1000 + i) + " gw-3 site-17 " +
                         fingerprint);
    }
    ASSERT_OK(log->Append(Request("s-" + std::to_string(batch), ExpectedVersion::Any(), payloads)));
  }
  uint64_t stored = 0;
  for (const auto& [seq, value] : StoredRecords(*log)) stored += value.size();

  ASSERT_OK(log->CompactAll());

  // Each record keeps its 32-byte hash (incompressible); the rest repeats.
  EXPECT_LT(TableBytes(dir.path()) * 3, stored)
      << "tables " << TableBytes(dir.path()) << " bytes for " << stored << " stored bytes";
}

TEST(RocksDbEventLogTest, CompactAllCompressesWhatABackgroundCompactionMovedMeanwhile) {
  // Four sessions, each closed (a flush): four level-0 files of ascending,
  // disjoint keys, the fourth made by CompactAll's own flush. That flush
  // starts a background compaction, which moves the oldest file to level 1
  // by renaming it (a trivial move: it stays uncompressed); the full
  // compaction must still rewrite it with the last level's compression.
  TempDir dir;
  const std::string fingerprint = ToHex(Sha256("old certificate"));
  uint64_t stored = 0;
  for (int session = 0; session < 4; ++session) {
    auto log = OpenOrDie(dir.path());
    ASSERT_NE(log, nullptr);
    for (int batch = 0; batch < 5; ++batch) {
      std::vector<std::string> payloads;
      for (int i = 0; i < 1000; ++i) {
        payloads.push_back("agent-" + std::to_string(i) + " gw-3 site-17 " + fingerprint);
      }
      ASSERT_OK(log->Append(Request("s-" + std::to_string(session) + "-" + std::to_string(batch),
                                    ExpectedVersion::Any(), payloads)));
    }
    if (session < 3) continue;
    for (const auto& [seq, value] : StoredRecords(*log)) stored += value.size();
    ASSERT_OK(log->CompactAll());
    EXPECT_LT(TableBytes(dir.path()) * 3, stored)
        << "tables " << TableBytes(dir.path()) << " bytes for " << stored << " stored bytes";
  }
}

TEST(RocksDbEventLogTest, ReopenOfAnEmptyLogStartsAtSequenceOne) {
  TempDir dir;
  { ASSERT_NE(OpenOrDie(dir.path()), nullptr); }
  auto log = OpenOrDie(dir.path());
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->Head(), 0u);
  auto r = log->Append(Request("a", ExpectedVersion::NoStream(), {"a1"}));
  ASSERT_OK(r);
  EXPECT_EQ(r->first_sequence, 1u);
  RecordedEvent first;
  ASSERT_OK(log->ReadOne(1, &first));
  EXPECT_EQ(first.prev_hash, Sha256Digest{});
}

TEST(RocksDbEventLogTest, SecondOpenOfTheSameDirectoryIsAnIoError) {
  TempDir dir;
  auto log = OpenOrDie(dir.path());
  ASSERT_NE(log, nullptr);
  auto second = RocksDbEventLog::Open(dir.path());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kIoError);
  EXPECT_NE(second.status().message().find(dir.path()), std::string::npos)
      << second.status().message();
}

TEST(RocksDbEventLogTest, OpenOfAPathThatIsAFileIsAnIoError) {
  TempDir dir;
  std::string file = dir.Sub("file");
  FILE* f = fopen(file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fclose(f);
  auto log = RocksDbEventLog::Open(file);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kIoError) << log.status().ToString();
}

TEST(RocksDbEventLogTest, UnknownFormatMarkerRefusesToOpen) {
  TempDir dir;
  { ASSERT_NE(OpenOrDie(dir.path()), nullptr); }
  {
    RawRocksDb raw(dir.path());
    ASSERT_TRUE(raw.ok());
    raw.Put(raw.default_cf(), "format", "3");
  }
  auto log = RocksDbEventLog::Open(dir.path());
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kCorruption);
  EXPECT_NE(log.status().message().find("has format '3', this build reads format 2"),
            std::string::npos)
      << log.status().message();
}

// A file system whose WAL syncs wait while its gate is shut, so that a test
// can hold a group commit in its fsync and queue appenders behind it.
class GatedSyncFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  GatedSyncFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "GatedSyncFileSystem"; }

  void Shut() {
    std::lock_guard<std::mutex> lock(mu_);
    shut_ = true;
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    shut_ = false;
    cv_.notify_all();
  }
  // Blocks until a sync waits at the shut gate.
  void AwaitHeldSync() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return held_ > 0; });
  }

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewWritableFile(f, o, r, dbg);
    if (s.ok() && f.size() > 4 && f.compare(f.size() - 4, 4, ".log") == 0) {
      *r = std::make_unique<File>(std::move(*r), this);
    }
    return s;
  }

 private:
  class File final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> t, GatedSyncFileSystem* fs)
        : FSWritableFileOwnerWrapper(std::move(t)), fs_(fs) {}
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
      fs_->Pass();
      return target()->Sync(o, d);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
      fs_->Pass();
      return target()->Fsync(o, d);
    }

   private:
    GatedSyncFileSystem* fs_;
  };
  void Pass() {
    std::unique_lock<std::mutex> lock(mu_);
    ++held_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return !shut_; });
    --held_;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool shut_ = false;
  int held_ = 0;
};

TEST(RocksDbEventLogTest, ConcurrentAppendersShareGroupCommits) {
  TempDir dir;
  auto fs = std::make_shared<GatedSyncFileSystem>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  auto opened = RocksDbEventLog::Open(dir.path(), {.env = env.get()});
  ASSERT_OK(opened);
  RocksDbEventLog& log = **opened;
  constexpr int kFollowers = 7;
  std::atomic<int> failures{0};
  auto append = [&](int t) {
    if (!log.Append(Request("s" + std::to_string(t), ExpectedVersion::Any(), {"x"})).ok()) {
      ++failures;
    }
  };
  // The first appender leads a group and is held in its fsync; the others
  // queue behind it meanwhile, and must all share the next group's fsync.
  fs->Shut();
  std::thread leader(append, 0);
  fs->AwaitHeldSync();
  std::vector<std::thread> followers;
  for (int t = 1; t <= kFollowers; ++t) followers.emplace_back(append, t);
  while (log.queued_appenders() < 1 + kFollowers) std::this_thread::yield();
  fs->Open();
  leader.join();
  for (std::thread& t : followers) t.join();
  ASSERT_EQ(failures.load(), 0);
  EXPECT_EQ(log.Head(), uint64_t{1 + kFollowers});
  EXPECT_EQ(log.grouped_requests(), uint64_t{1 + kFollowers});
  EXPECT_EQ(log.group_commits(), 2u) << "queued appenders did not share one group commit";
}

TEST(RocksDbEventLogTest, DuplicatesAndConflictsAreNotCountedAsGroupedRequests) {
  TempDir dir;
  auto log = OpenOrDie(dir.path());
  ASSERT_NE(log, nullptr);
  ASSERT_OK(log->Append(Request("s", ExpectedVersion::NoStream(), {"a"}, "k")));
  ASSERT_OK(log->Append(Request("s", ExpectedVersion::NoStream(), {"a"}, "k")));
  EXPECT_FALSE(log->Append(Request("s", ExpectedVersion::NoStream(), {"b"})).ok());
  EXPECT_EQ(log->group_commits(), 1u);
  EXPECT_EQ(log->grouped_requests(), 1u);
}

TEST(RocksDbEventLogTest, SequenceKeyIsBigEndian) {
  EXPECT_EQ(RocksDbEventLog::SequenceKey(1), std::string("\0\0\0\0\0\0\0\x01", 8));
  EXPECT_EQ(RocksDbEventLog::SequenceKey(0x0102030405060708),
            std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
}

TEST(RocksDbEventLogTest, StoredKeysFollowTheDocumentedEncoding) {
  TempDir dir;
  {
    auto log = OpenOrDie(dir.path());
    ASSERT_NE(log, nullptr);
    ASSERT_OK(log->Append(Request("x", ExpectedVersion::Any(), {"x1"})));
    ASSERT_OK(log->Append(Request("rollout-7", ExpectedVersion::Any(), {"r1", "r2"}, "idem")));
  }
  RawRocksDb raw(dir.path());
  ASSERT_TRUE(raw.ok());
  auto get = [&](int cf, const std::string& key) {
    std::string value;
    rocksdb::Status s = raw.db()->Get(rocksdb::ReadOptions(), raw.handle(cf), key, &value);
    EXPECT_TRUE(s.ok()) << key << ": " << s.ToString();
    return value;
  };
  const std::string be2("\0\0\0\0\0\0\0\x02", 8);
  const std::string be1("\0\0\0\0\0\0\0\x01", 8);
  const std::string be3("\0\0\0\0\0\0\0\x03", 8);
  EXPECT_EQ(get(0, "format"), "2");
  // streams: id 0x00 BE64(first version) -> BE64(first sequence) [BE64(count) when > 1]
  EXPECT_EQ(get(2, std::string("x\0", 2) + be1), be1);
  EXPECT_EQ(get(2, std::string("rollout-7\0", 10) + be1), be2 + be2);
  EXPECT_EQ(get(3, "rollout-7"), be2);         // stream_heads: BE64(version)
  EXPECT_EQ(get(4, "idem"), be2 + be3 + be2);  // idempotency: first last version
  std::string value = get(1, be3);             // events: hash || canonical
  RecordedEvent e;
  ASSERT_OK(DecodeStoredRecord(3, value, &e, HashCheck::kVerify));
  EXPECT_EQ(e.payload, "r2");
  EXPECT_EQ(value.substr(kHashSize), EncodeCanonical(e));
}

TEST(RocksDbEventLogTest, AFormatOneDirectoryIsReadAndUpgraded) {
  TempDir dir;
  {
    auto log = OpenOrDie(dir.path());
    ASSERT_NE(log, nullptr);
    // Single-event appends index exactly as format 1 did: one 8-byte entry each.
    ASSERT_OK(log->Append(Request("s", ExpectedVersion::Any(), {"s1"})));
    ASSERT_OK(log->Append(Request("t", ExpectedVersion::Any(), {"t1"})));
    ASSERT_OK(log->Append(Request("s", ExpectedVersion::Any(), {"s2"})));
  }
  {
    RawRocksDb raw(dir.path());
    ASSERT_TRUE(raw.ok());
    ASSERT_TRUE(raw.db()->Put(rocksdb::WriteOptions(), raw.handle(0), "format", "1").ok());
  }
  {
    auto log = OpenOrDie(dir.path());
    ASSERT_NE(log, nullptr);
    std::vector<uint64_t> seqs;
    ASSERT_OK(log->StreamSequences("s", 1, 10, &seqs));
    EXPECT_EQ(seqs, (std::vector<uint64_t>{1, 3}));
    ASSERT_OK(log->Append(Request("s", ExpectedVersion::Exact(2), {"s3", "s4"})));
    ASSERT_OK(log->StreamSequences("s", 2, 10, &seqs));
    EXPECT_EQ(seqs, (std::vector<uint64_t>{3, 4, 5}));
  }
  RawRocksDb raw(dir.path());
  ASSERT_TRUE(raw.ok());
  std::string format;
  ASSERT_TRUE(raw.db()->Get(rocksdb::ReadOptions(), raw.handle(0), "format", &format).ok());
  EXPECT_EQ(format, "2");
}

TEST(RocksDbEventLogTest, ACorruptStreamIndexEntryIsAnErrorNamingTheStream) {
  TempDir dir;
  {
    auto log = OpenOrDie(dir.path());
    ASSERT_NE(log, nullptr);
    ASSERT_OK(log->Append(Request("s", ExpectedVersion::Any(), {"s1", "s2"})));
  }
  {
    RawRocksDb raw(dir.path());
    ASSERT_TRUE(raw.ok());
    const std::string be1("\0\0\0\0\0\0\0\x01", 8);
    ASSERT_TRUE(raw.db()
                    ->Put(rocksdb::WriteOptions(), raw.handle(2), std::string("s\0", 2) + be1,
                          be1 + std::string(8, '\0'))
                    .ok());
  }
  auto log = OpenOrDie(dir.path());
  ASSERT_NE(log, nullptr);
  std::vector<uint64_t> seqs;
  Status s = log->StreamSequences("s", 1, 10, &seqs);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find("stream 's'"), std::string::npos) << s.ToString();
}

TEST(RocksDbEventLogTest, AppendEachIsOneGroupCommit) {
  TempDir dir;
  auto log = OpenOrDie(dir.path());
  ASSERT_NE(log, nullptr);
  std::vector<AppendRequest> requests;
  for (int i = 0; i < 500; ++i) {
    requests.push_back(Request("agent-" + std::to_string(i), ExpectedVersion::NoStream(),
                               {"r" + std::to_string(i)}, "report-" + std::to_string(i)));
  }
  uint64_t commits = log->group_commits();
  std::vector<Result<AppendResult>> results = log->AppendEach(std::move(requests));
  EXPECT_EQ(log->group_commits(), commits + 1);
  EXPECT_EQ(log->grouped_requests(), 500u);
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_OK(results[i]);
    EXPECT_EQ(results[i]->first_sequence, i + 1);
  }
  EXPECT_EQ(log->Head(), 500u);
}

}  // namespace
}  // namespace rotor::testing
