// GroupBatch and SortedPuts (events/group_batch.h): index entries reach the
// WriteBatch in key order with the last of a repeated key last, and Reset
// leaves nothing of one group in the next, whatever its size.
#include "events/group_batch.h"

#include <rocksdb/write_batch.h>

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace rotor::testing {
namespace {

using Puts = std::vector<std::pair<std::string, std::string>>;

// The puts of `batch`, in the order a memtable would receive them.
Puts PutsOf(const rocksdb::WriteBatch& batch) {
  struct Handler : rocksdb::WriteBatch::Handler {
    Puts puts;
    rocksdb::Status PutCF(uint32_t, const rocksdb::Slice& key,
                          const rocksdb::Slice& value) override {
      puts.emplace_back(key.ToString(), value.ToString());
      return rocksdb::Status::OK();
    }
  } handler;
  EXPECT_TRUE(batch.Iterate(&handler).ok());
  return handler.puts;
}

TEST(SortedPutsTest, WritesInKeyOrderAndARepeatedKeysLastValueLast) {
  SortedPuts puts(nullptr);
  puts.Add("stream-b", "1");
  puts.Add("stream-a", "1");
  puts.Add("stream-b", "2");
  puts.Add(std::string("stream-a\x00", 9), "x");  // a key right after "stream-a"
  rocksdb::WriteBatch batch;
  puts.WriteTo(&batch);
  EXPECT_EQ(PutsOf(batch), (Puts{{"stream-a", "1"},
                                 {std::string("stream-a\x00", 9), "x"},
                                 {"stream-b", "1"},
                                 {"stream-b", "2"}}));
}

// Fills `g` as a group commit would: `n` events and one index entry each.
void FillGroup(GroupBatch* g, const std::string& prefix, size_t n, size_t value_bytes) {
  for (size_t i = 0; i < n; ++i) {
    std::string key = prefix + std::to_string(i);
    ASSERT_TRUE(g->batch.Put(key, std::string(value_bytes, 'v')).ok());
    g->streams.Add(key, "run");
    g->heads.Add(key, "head");
    g->keys.Add(key, "result");
  }
  g->versions["a stream"] = n;  // keyed by a literal: the map holds views
  g->seen_keys["a key"] = AppendResult{1, n, n, false};
}

TEST(GroupBatchTest, ResetLeavesNothingOfOneGroupInTheNext) {
  for (size_t value_bytes : {size_t{16}, GroupBatch::kKeepBytes / 8}) {  // kept, and released
    SCOPED_TRACE(value_bytes);
    GroupBatch g(nullptr, nullptr, nullptr);
    FillGroup(&g, "first-", 16, value_bytes);
    g.Reset();
    EXPECT_EQ(g.batch.Count(), 0u);
    EXPECT_TRUE(g.versions.empty() && g.seen_keys.empty() && g.pending.empty());

    FillGroup(&g, "second-", 2, 4);
    g.streams.WriteTo(&g.batch);
    Puts puts = PutsOf(g.batch);
    ASSERT_EQ(puts.size(), 4u);  // two events, then two stream entries
    EXPECT_EQ(puts[0].first, "second-0");
    EXPECT_EQ(puts[2], (std::pair<std::string, std::string>{"second-0", "run"}));
    EXPECT_EQ(puts[3], (std::pair<std::string, std::string>{"second-1", "run"}));
  }
}

}  // namespace
}  // namespace rotor::testing
