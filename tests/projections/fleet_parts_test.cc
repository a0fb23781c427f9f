// The fleet projection's parts through their own APIs: the key schema, the
// fleet model (derived numbers follow each change), the rollouts (counters
// move with an agent's contribution and freeze when a rollout ends), the
// store codec (only changed entries are written; damaged entries are refused
// naming them), the queries over a model built by hand, and the readers'
// LastKey hint.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/coding.h"
#include "projections/encoding.h"
#include "projections/fleet_codec.h"
#include "projections/fleet_keys.h"
#include "projections/fleet_model.h"
#include "projections/fleet_queries.h"
#include "projections/fleet_rollouts.h"
#include "projections/memory_store.h"
#include "projections/rocksdb_store.h"
#include "projections/snapshot.h"
#include "tests/projections/map_kv.h"
#include "tests/projections/test_util.h"

namespace rotor::projections {
namespace {

namespace keys = fleet_keys;
using testing::Fp;
using testing::MapKv;

// An agent that reported `fps` (interned into `model`) at `at`.
uint32_t Reported(FleetModel& model, std::string_view id, std::vector<uint32_t> fps, int64_t at,
                  std::string_view gateway = "") {
  uint32_t a = model.InternAgent(id);
  uint32_t g = model.InternGateway(gateway);
  model.Change(a, true, [&](AgentRecord& agent) {
    agent.inventory = model.AcquireInventory(fps, 0);
    agent.last_report = at;
    agent.gateway = g;
    agent.flags = static_cast<uint8_t>((agent.flags & ~kDeleted) | kReported);
  });
  return a;
}

TEST(FleetKeysTest, KeysRoundTripAndSortByKindThenId) {
  uint32_t id = 0, first = 0, second = 0;
  std::string agent = keys::IdKey(keys::kAgent, 258);
  EXPECT_EQ(agent, std::string("a\0\0\x01\x02", 5));
  ASSERT_TRUE(keys::ParseIdKey(agent, &id));
  EXPECT_EQ(id, 258u);
  std::string pair = keys::PairKey(keys::kRenewed, 7, 0x01020304);
  EXPECT_EQ(pair.size(), keys::kPairKeyBytes);
  ASSERT_TRUE(keys::ParsePairKey(pair, &first, &second));
  EXPECT_EQ(first, 7u);
  EXPECT_EQ(second, 0x01020304u);
  EXPECT_LT(keys::IdKey(keys::kAgent, 255), keys::IdKey(keys::kAgent, 256));
  EXPECT_FALSE(keys::ParseIdKey(pair, &id));
  EXPECT_FALSE(keys::ParsePairKey(agent, &first, &second));
  EXPECT_FALSE(keys::ParseIdKey(keys::kMetaKey, &id));
}

TEST(FleetModelTest, HoldersLiveCountAndStaleListFollowEachChange) {
  FleetModel model;
  uint32_t old_fp = model.InternFingerprint(Fp("old"));
  uint32_t new_fp = model.InternFingerprint(Fp("new"));
  uint32_t a = Reported(model, "a", {old_fp}, 10);
  Reported(model, "b", {old_fp, new_fp}, 10);
  EXPECT_EQ(model.live_agents(), 2u);
  EXPECT_EQ(model.holders(old_fp), 2u);
  EXPECT_EQ(model.holders(new_fp), 1u);
  model.Change(a, false, [](AgentRecord& agent) { agent.flags |= kStale; });
  model.SetFlaggedAt(a, 99);
  EXPECT_EQ(model.stale().at(a), 99);
  model.Change(a, false, [](AgentRecord& agent) {
    agent.flags = static_cast<uint8_t>((agent.flags & ~kStale) | kDeleted);
  });
  EXPECT_TRUE(model.stale().empty());
  EXPECT_EQ(model.live_agents(), 1u);
  EXPECT_EQ(model.holders(old_fp), 1u);
  EXPECT_TRUE(model.VerifyDerived().ok());
  EXPECT_EQ(model.FindAgent("a"), a);
  EXPECT_EQ(model.FindAgent("nobody"), StringInterner::kNotFound);
}

TEST(FleetModelTest, AddAgentRefusesAnIdItKnows) {
  FleetModel model;
  uint32_t f = model.InternFingerprint(Fp("old"));
  std::vector<uint32_t> fps{f};
  AgentRecord record;
  record.flags = kReported;
  EXPECT_EQ(model.AddAgent("a", record, fps, 0, 0), 0u);
  EXPECT_EQ(model.AddAgent("a", record, fps, 0, 0), StringInterner::kNotFound);
  model.RebuildDerived();
  EXPECT_EQ(model.holders(f), 1u);
  EXPECT_TRUE(model.VerifyDerived().ok());
}

TEST(FleetRolloutsTest, CountersMoveWithTheAgentAndFreezeWhenTheRolloutEnds) {
  FleetModel model;
  uint32_t old_fp = model.InternFingerprint(Fp("old"));
  uint32_t new_fp = model.InternFingerprint(Fp("new"));
  uint32_t a = Reported(model, "a", {old_fp}, 10, "gw-1");
  FleetRollouts rollouts;
  uint32_t r = rollouts.Create("r1", 20);
  ASSERT_NE(r, FleetRollouts::kNotFound);
  EXPECT_EQ(rollouts.Create("r1", 21), FleetRollouts::kNotFound);
  EXPECT_EQ(rollouts.Create("", 21), FleetRollouts::kNotFound);
  rollouts.Mutable(r).old_fp = old_fp;
  rollouts.Mutable(r).new_fp = new_fp;
  rollouts.Recount(model, r);
  EXPECT_EQ(rollouts[r].counters.total, 1u);
  EXPECT_EQ(rollouts[r].counters.received, 0u);

  std::vector<uint32_t> changed;
  std::vector<uint32_t> both{old_fp, new_fp};
  rollouts.BeforeAgentChange(model, a);
  model.Change(a, true, [&](AgentRecord& agent) {
    agent.inventory = model.AcquireInventory(both, 0);
    agent.last_report = 30;
  });
  rollouts.AfterAgentChange(model, a, 30'000'000, [&](uint32_t i) { changed.push_back(i); });
  EXPECT_EQ(changed, std::vector<uint32_t>{r});
  EXPECT_EQ(rollouts[r].counters.received, 1u);
  EXPECT_EQ(rollouts[r].receipts.CountLastHour(30'000'000), 1u);
  EXPECT_TRUE(rollouts.VerifyCounters(model).ok());

  rollouts.End(r, 40);
  EXPECT_TRUE(rollouts.active().empty());
  rollouts.BeforeAgentChange(model, a);
  model.Change(a, false, [](AgentRecord& agent) { agent.flags |= kDeleted; });
  rollouts.AfterAgentChange(model, a, 50, [&](uint32_t i) { changed.push_back(i); });
  EXPECT_EQ(changed.size(), 1u);
  EXPECT_EQ(rollouts[r].counters.total, 1u);  // frozen at the end
}

// A stored state with one agent, one rollout and the meta record.
MapKv StoredFleet() {
  FleetModel model;
  FleetRollouts rollouts;
  uint32_t f = model.InternFingerprint(Fp("old"));
  Reported(model, "a", {f}, 10, "gw-1");
  uint32_t r = rollouts.Create("r1", 20);
  rollouts.Mutable(r).old_fp = f;
  rollouts.Recount(model, r);
  FleetChanges changes;
  MapKv out;
  WriteFleet(model, rollouts, {7, 20}, &changes, out);
  return out;
}

TEST(FleetCodecTest, WritesOnlyWhatChangedSinceTheLastWrite) {
  FleetModel model;
  FleetRollouts rollouts;
  uint32_t f = model.InternFingerprint(Fp("old"));
  uint32_t a = Reported(model, "a", {f}, 10);
  Reported(model, "b", {f}, 10);
  FleetChanges changes;
  MapKv all;
  WriteFleet(model, rollouts, {2, 10}, &changes, all);
  EXPECT_EQ(all.map.size(), 4u);  // 'a' x2, 'f' x1, 'z'
  changes.MarkAgent(a);
  changes.MarkAgent(a);
  MapKv delta;
  WriteFleetChanges(model, rollouts, {3, 11}, &changes, delta);
  ASSERT_EQ(delta.map.size(), 2u);
  EXPECT_TRUE(delta.map.contains(keys::IdKey(keys::kAgent, a)));
  EXPECT_TRUE(delta.map.contains(keys::kMetaKey));
  EXPECT_TRUE(changes.agents().empty());
}

TEST(FleetCodecTest, LoadsWhatItWrote) {
  MapKv stored = StoredFleet();
  FleetModel model;
  FleetRollouts rollouts;
  FleetMeta meta;
  ASSERT_TRUE(LoadFleet(stored, &model, &rollouts, &meta).ok());
  EXPECT_EQ(meta.last_sequence, 7u);
  EXPECT_EQ(model.agent_count(), 1u);
  EXPECT_EQ(model.gateways().Get(model.agent(0).gateway), "gw-1");
  EXPECT_EQ(rollouts.active(), std::vector<uint32_t>{0});
  EXPECT_EQ(rollouts[0].counters.total, 1u);
}

// Each damaged entry is refused with kCorruption naming its key.
TEST(FleetCodecTest, RefusesDamagedEntriesNamingThem) {
  struct Damage {
    const char* what;
    std::string key;
    std::string value;  // empty: the key is removed
  };
  std::string agent_key = keys::IdKey(keys::kAgent, 0);
  std::string agent = StoredFleet().map.at(agent_key);
  std::string unknown_flag = agent;
  unknown_flag[1 + static_cast<uint8_t>(agent[0])] = 32;  // after the id: flags
  std::string cert;
  PutVarint(&cert, keys::kMaxCertificateKind + 1);
  const std::vector<Damage> damages = {
      {"a short agent key", std::string("a\0\0\0", 4), agent},
      {"an agent out of order", keys::IdKey(keys::kAgent, 5), agent},
      {"an unknown agent flag", agent_key, unknown_flag},
      {"an unknown certificate kind", keys::IdKey(keys::kCertificate, 1), cert},
      {"a target of an unknown agent", keys::PairKey(keys::kTarget, 0, 9), "-"},
      {"a renewal of an unknown rollout", keys::PairKey(keys::kRenewed, 3, 0), "\x01"},
      {"a meta record with bytes after it", std::string(keys::kMetaKey),
       std::string("\x07\x28\x00", 3)},
  };
  for (const Damage& d : damages) {
    MapKv stored = StoredFleet();
    stored.map[d.key] = d.value;
    FleetModel model;
    FleetRollouts rollouts;
    FleetMeta meta;
    Status s = LoadFleet(stored, &model, &rollouts, &meta);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << d.what;
    EXPECT_NE(s.message().find("does not decode"), std::string::npos) << d.what;
  }
}

TEST(FleetQueriesTest, AnswerFromAModelAndRolloutsBuiltByHand) {
  FleetModel model;
  uint32_t old_fp = model.InternFingerprint(Fp("old"));
  uint32_t a = Reported(model, "a", {old_fp}, 10, "gw-1");
  Reported(model, "b", {old_fp}, 5, "gw-2");
  model.Change(a, false, [](AgentRecord& agent) { agent.flags |= kStale; });
  model.SetFlaggedAt(a, 60);
  FleetRollouts rollouts;
  uint32_t r = rollouts.Create("r1", 20);
  rollouts.Mutable(r).old_fp = old_fp;
  rollouts.Mutable(r).new_fp = model.InternFingerprint(Fp("new"));
  rollouts.Recount(model, r);
  FleetQueries q(model, rollouts, 100);
  std::optional<RolloutProgress> p = q.Progress("r1", true);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->summary, "0 of 2 agents received the new certificate");
  EXPECT_EQ(p->stale, 1u);
  ASSERT_EQ(p->by_gateway.size(), 2u);
  EXPECT_EQ(p->by_gateway[0].key, "gw-1");
  EXPECT_FALSE(q.Progress("r2", false).has_value());
  std::vector<StaleAgent> stale = q.StaleAgents();
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0].holds_up, std::vector<std::string>{"r1"});
  AgentFilter outstanding;
  outstanding.rollout_id = "r1";
  outstanding.set = RolloutAgentSet::kOutstanding;
  outstanding.gateway_id = "gw-2";
  std::optional<AgentPage> page = q.FindAgents(outstanding, 0, 10);
  ASSERT_TRUE(page.has_value());
  ASSERT_EQ(page->agents.size(), 1u);
  EXPECT_EQ(page->agents[0].agent_id, "b");
  EXPECT_EQ(q.Agents(1, 5).size(), 1u);
}

}  // namespace
}  // namespace rotor::projections

namespace rotor::projections {
namespace {

// Writes keys of two kinds around kind 'b' into `store`'s projection "p".
void FillStore(ProjectionStore& store) {
  Result<std::unique_ptr<StoreBatch>> batch = store.NewBatch("p");
  ASSERT_TRUE(batch.ok());
  for (const char* key : {"a9", "b\x01", "b\x02\xff", "b\xff", "c0"}) (*batch)->Put(key, "v");
  ASSERT_TRUE(store.Commit(**batch, Checkpoint{1, {}, {}}).ok());
}

void ExpectLastKeys(const KvReader& reader) {
  EXPECT_EQ(reader.LastKey("b"), "b\xff");
  EXPECT_EQ(reader.LastKey("b\x02"), "b\x02\xff");
  EXPECT_EQ(reader.LastKey("a"), "a9");
  EXPECT_EQ(reader.LastKey("d"), "");
  EXPECT_EQ(reader.LastKey("\xff"), "");
}

// The agents' count hint LoadFleet pre-sizes with: every store and a snapshot
// give the greatest key of a prefix.
TEST(KvReaderTest, LastKeyIsTheGreatestKeyWithThePrefix) {
  MemoryProjectionStore memory;
  FillStore(memory);
  Result<std::unique_ptr<KvReader>> reader = memory.NewReader("p");
  ASSERT_TRUE(reader.ok());
  ExpectLastKeys(**reader);

  testing::TempDir dir;
  Result<std::unique_ptr<RocksDbProjectionStore>> rocks =
      RocksDbProjectionStore::Open(dir.Sub("store"), {.sync = false});
  ASSERT_TRUE(rocks.ok()) << rocks.status().ToString();
  FillStore(**rocks);
  Result<std::unique_ptr<KvReader>> rocks_reader = (*rocks)->NewReader("p");
  ASSERT_TRUE(rocks_reader.ok());
  ExpectLastKeys(**rocks_reader);

  Result<std::string> bytes = EncodeSnapshot("p", Checkpoint{1, {}, {}}, **rocks_reader);
  ASSERT_TRUE(bytes.ok());
  Result<std::unique_ptr<SnapshotReader>> snapshot = DecodeSnapshot(*bytes);
  ASSERT_TRUE(snapshot.ok());
  ExpectLastKeys(**snapshot);
}

}  // namespace
}  // namespace rotor::projections
