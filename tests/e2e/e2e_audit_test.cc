// End to end for auditors: `rotorctl verify`, `replay --as-of` and `export`
// against a real rotord, and `verify` on a copy of its data directory with
// one stored event altered behind the log's back.
#include <filesystem>

#include "base/coding.h"
#include "events/record.h"
#include "tests/e2e/e2e_article.h"
#include "tests/events/raw_rocksdb.h"

namespace rotor::testing {
namespace {

// Splits varint-length-delimited messages.
std::vector<std::string> SplitDelimited(const std::string& bytes) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < bytes.size()) {
    uint64_t len = 0;
    const char* begin = bytes.data() + pos;
    const char* next = GetVarint64Ptr(begin, bytes.data() + bytes.size(), &len);
    if (next == nullptr) {
      ADD_FAILURE() << "bad length prefix at " << pos;
      break;
    }
    pos += static_cast<size_t>(next - begin);
    if (pos + len > bytes.size()) {
      ADD_FAILURE() << "truncated message at " << pos;
      break;
    }
    out.push_back(bytes.substr(pos, len));
    pos += len;
  }
  return out;
}

TEST_F(ArticleTest, VerifyReplayAndExportThroughRotorctl) {
  StartDaemon();
  ASSERT_NO_FATAL_FAILURE(RunUntilRefusal());
  json verify = CtlJson({"verify"});
  ASSERT_TRUE(verify["ok"].get<bool>()) << verify.dump();
  const uint64_t events = verify["events"].get<uint64_t>();
  ToolResult r = Ctl({"verify"}, kAuditorToken);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("hash chain holds: " + std::to_string(events) + " events"),
            std::string::npos)
      << r.out;

  // Before the 2076 reports: the rollout as it stood, nobody received yet.
  json before = CtlJson({"replay", "--as-of", "2026-11-01T06:00:00Z"});
  ASSERT_EQ(before["rollouts"].size(), 1u) << before.dump();
  EXPECT_EQ(before["rollouts"][0]["total"], kHolders);
  EXPECT_EQ(before["rollouts"][0]["received"], 0);
  json now = CtlJson({"replay", "--as-of", std::to_string(events)});
  EXPECT_EQ(now["rollouts"][0]["received"], kReceivedFirst);
  r = Ctl({"replay", "--as-of", "2026-11-02T00:00:00Z"}, kAuditorToken);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2076 of 2393 agents received the new certificate"), std::string::npos);

  r = Ctl({"export", "--format", "jsonl"}, kAuditorToken);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(static_cast<uint64_t>(std::count(r.out.begin(), r.out.end(), '\n')), events);
  json first = json::parse(r.out.substr(0, r.out.find('\n')));
  EXPECT_EQ(first["sequence"], 1);

  const std::string exported = dir_.Sub("events.pb");
  r = Ctl({"export", "--format", "protobuf", "--from", "2", "-o", exported}, kAuditorToken);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> envelopes = SplitDelimited(ReadFile(exported));
  ASSERT_EQ(envelopes.size(), events - 1);
  Sha256Digest previous{};
  for (size_t i = 0; i < envelopes.size(); ++i) {
    RecordedEvent e;
    ASSERT_TRUE(DecodeEnvelope(envelopes[i], &e).ok()) << i;
    EXPECT_EQ(e.sequence, i + 2);
    if (i > 0) {
      EXPECT_EQ(e.prev_hash, previous) << "sequence " << e.sequence;
    }
    std::string_view prev(reinterpret_cast<const char*>(e.prev_hash.data()), kHashSize);
    EXPECT_EQ(Sha256(prev, EncodeCanonical(e)), e.hash) << "sequence " << e.sequence;
    previous = e.hash;
  }
}

TEST_F(ArticleTest, VerifyOnATamperedCopyExitsNonZeroNamingTheSequence) {
  StartDaemon();
  ASSERT_NO_FATAL_FAILURE(RunUntilRefusal());
  StopDaemon();
  const std::string copy = dir_.Sub("tampered");
  std::filesystem::copy(data_, copy, std::filesystem::copy_options::recursive);
  // Sequence 100 is an inventory report; change one byte of its actor
  // ("oscar", the operator whose `rotorctl ingest` sent it). The record still
  // decodes; only the hash breaks.
  constexpr uint64_t kTampered = 100;
  {
    RawRocksDb raw(copy + "/events");
    ASSERT_TRUE(raw.ok());
    std::string value = raw.GetEvent(kTampered);
    size_t at = value.find("oscar", kHashSize);
    ASSERT_NE(at, std::string::npos);
    value[at] = 'A';
    raw.PutEvent(kTampered, value);
  }
  ToolResult r = Local({"verify"}, copy);
  ExpectOneLineError(r, 4, "sequence 100");
  r = Local({"verify", "--json"}, copy);
  EXPECT_EQ(r.exit_code, 4);
  json report = json::parse(r.out, nullptr, false);
  EXPECT_EQ(report["ok"], false);
  EXPECT_EQ(report["first_bad_sequence"], kTampered);
  // The original still verifies.
  r = Local({"verify"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // Exporting the altered record as protobuf refuses it instead of writing
  // an envelope that does not match its hash.
  ToolResult bad = Local({"export", "--format", "protobuf", "-o", dir_.Sub("x.pb")}, copy);
  ExpectOneLineError(bad, 3, "event 100");
}

}  // namespace
}  // namespace rotor::testing
