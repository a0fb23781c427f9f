// Golden bytes of the fleet projection's stored state. The key space below,
// as a snapshot, was written once by the code before the projection was
// split into parts (main at "base/: Status, time, hashing, coding ...") and
// checked in: existing data directories and snapshots hold exactly such
// bytes, so today's Load must read them to the same state, and today's
// writer must still produce them. A failure here is a format change (bump
// kSnapshotFormat and migrate), not a new golden value.
//
// ROTOR_PRINT_FLEET_GOLDEN=1 prints the bytes and the dump of the current
// code instead of comparing (for a deliberate format change only).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/coding.h"
#include "projections/fleet_projection.h"
#include "projections/snapshot.h"
#include "tests/projections/map_kv.h"
#include "tests/projections/test_util.h"

namespace rotor::projections {
namespace {

using testing::At;
using testing::Flag;
using testing::Fp;
using testing::MapKv;
using testing::Register;
using testing::Replace;
using testing::Report;

// Every record kind of the key space: agents (cloud-enabled, stale, revoked,
// deleted, never reported), certificates, interned fingerprints, gateways and
// sites, an ended replacement (frozen counters), an active one with a pending
// gateway step and receipts, and a renewal of listed agents with renewed
// certificates.
void FoldHistory(FleetProjection* fleet) {
  const std::string old_fp = Fp("old"), new_fp = Fp("new"), agent_fp = Fp("agent-cert");
  testing::Folder fold{fleet};
  fold(Register(old_fp, CertificateKind::kServerWeb, At(900000), "CN=old"), At(1));
  fold(Register(new_fp, CertificateKind::kServerWeb, At(9000000), "CN=new"), At(2));
  fold(Report("a1", At(10), {old_fp}, "gw-1", "paris", true), At(10));
  fold(Report("a2", At(11), {old_fp}, "gw-2", "lyon"), At(11));
  fold(Report("a3", At(12), {old_fp, agent_fp}, "gw-1", "lyon", true), At(12));
  fold(Report("a4", At(13), {old_fp}, "", ""), At(13));
  fold(Replace("r1", old_fp, new_fp), At(20));
  fold(Report("a1", At(30), {old_fp, new_fp}, "gw-1", "paris", true), At(30));
  fold(Flag("a2", At(11), At(40)), At(40));
  fold(Flag("ghost", At(5), At(41)), At(41));
  fold(ReplacementFinalized{"r1", 1, 4, true, "window", {"a2", "a3", "a4"}, 1}, At(50));
  fold(Replace("r2", old_fp, new_fp, ReplacementMode::kPreStaged), At(60));
  fold(GatewayRefreshRequired{"gw-2", "r2", GatewayRefreshStep::kAfterInitiate}, At(61));
  fold(CertificateStaged{"r2", new_fp, "default"}, At(62));
  fold(Report("a3", At(70), {old_fp, new_fp, agent_fp}, "gw-1", "lyon", true), At(70));
  fold(RenewalInitiated{"r3", RenewalTarget::kCemAgentCertificates, agent_fp, {"a1", "a3"}, ""},
       At(80));
  fold(AgentCertificateRenewed{"r3", "a3", agent_fp, Fp("renewed-a3"), "0a", At(5000000), true, ""},
       At(81));
  fold(CertificateRevoked{"a1", agent_fp, 1, "0b", At(90)}, At(90));
  fold(AgentResourceDeleted{"a4", "retired"}, At(100));
}

// The snapshot at sequence 19 of FoldHistory's state, written by the code
// before the split.
constexpr const char* kGoldenSnapshotHex =
    "52534e500176d748b6ac98c36e2bfc6de2777a7346412e3f7c5a3de1aba4e81b94e6e0688c05666c65657429138084"
    "c1"
    "bdf7caaf065a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a18056100000000110261"
    "31"
    "15808ee0faf6caaf060101020102056100000001180261320380e3d0e8f6caaf060202010180e8a484f7caaf060561"
    "00"
    "000002120261331180f6f2a0f7caaf06010203010203056100000003100261340980f5c4eaf6caaf06000001010561"
    "00"
    "0000041a0567686f73740280adf4e2f6caaf0600000080f19e85f7caaf06056300000001280106434e3d6f6c640a43"
    "4e"
    "3d546573742043410230318080d780f3c5af0680a083a1a8ffaf060002056300000002280106434e3d6e65770a434e"
    "3d"
    "546573742043410230318080d780f3c5af0680c0fefae5d6b306000205630000000308000000000000000105630000"
    "00"
    "04130300000230610080c0dcd1fbedb106026133020566000000014063626130366235373336666166363765353462"
    "30"
    "3762353631656165393433393565373734633531376137643931306135343336396531323633636366626434056600"
    "00"
    "0002403131353037613065326635653639643564666134306136326131626437623665653537653662636438356336"
    "37"
    "6339623834333162333666666632316334333705660000000340636535653934303763393338623838303738346463"
    "39"
    "3331323937623738666334626239383861656631353465313137656131643839623062636131396262380566000000"
    "04"
    "4036663135373034393033333039333066366435663732356635323535656639356533306561623863303738626661"
    "36"
    "33616536643130326161336432663863630567000000010467772d310567000000020467772d32096e000000020000"
    "00"
    "0201040572000000003f0272310001020101e80700001480b49bf1f6caaf0680c2e98df7caaf0600010080efc01c01"
    "04"
    "01010100000301000002010001000103010000010100020001057200000001200272320001020102e807000001809c"
    "ae"
    "97f7caaf0600010201010182efc01c010572000000021702723301030003000001002080d0b7aaf7caaf0600000005"
    "73"
    "00000001057061726973057300000002046c796f6e09740000000200000000000974000000020000000200017a0913"
    "80"
    "84c1bdf7caaf06";
// FleetProjection::Dump() of that state.
constexpr const char* kGoldenDump = R"golden(fleet seq=19 as_of=1793491300000000 agents=5 live=3
rollout r1 replacement [finalized] 1 of 4 agents received the new certificate
  old=cba06b5736faf67e54b07b561eae94395e774c517a7d910a54369e1263ccfbd4 new=11507a0e2f5e69d5dfa40a62a1bd7b6ee57e6bcd85c67c9b8431b36fff21c437 gw= kind=1 mode=1 target=0 staged=0 switched=0 permille=1000 forced=1
  total=4 received=1 outstanding=3 stale=1 stale_outstanding=1 revoked=0 not_counted=0 last_hour=0 eta=- initiated=1793491220000000 ended=1793491250000000
  gateway '' 1/0/1/0
  gateway 'gw-1' 2/1/1/0
  gateway 'gw-2' 1/0/1/1
  site '' 1/0/1/0
  site 'lyon' 2/0/2/1
  site 'paris' 1/1/0/0
rollout r2 replacement [staged] 2 of 3 agents received the new certificate
  old=cba06b5736faf67e54b07b561eae94395e774c517a7d910a54369e1263ccfbd4 new=11507a0e2f5e69d5dfa40a62a1bd7b6ee57e6bcd85c67c9b8431b36fff21c437 gw= kind=1 mode=2 target=0 staged=1 switched=0 permille=1000 forced=0
  total=3 received=2 outstanding=1 stale=1 stale_outstanding=1 revoked=1 not_counted=0 last_hour=1 eta=3600 initiated=1793491260000000 ended=-
  pending gw-2 after-initiate
  gateway 'gw-1' 2/2/0/0
  gateway 'gw-2' 1/0/1/1
  site 'lyon' 2/1/1/1
  site 'paris' 1/1/0/0
rollout r3 renewal [initiated] 0 of 1 agents received a renewed certificate
  old=ce5e9407c938b880784dc931297b78fc4bb988aef154e117ea1d89b0bca19bb8 new= gw= kind=3 mode=0 target=1 staged=0 switched=0 permille=0 forced=0
  total=1 received=0 outstanding=1 stale=0 stale_outstanding=0 revoked=0 not_counted=2 last_hour=0 eta=- initiated=1793491280000000 ended=-
  gateway 'gw-1' 1/0/1/0
  site 'lyon' 1/0/1/0
agent a1 gw=gw-1 site=paris last=1793491230000000 cloud=1 stale=0 revoked=1 deleted=0 certs=11507a0e2f5e,cba06b5736fa,
agent a2 gw=gw-2 site=lyon last=1793491211000000 cloud=0 stale=1 revoked=0 deleted=0 certs=cba06b5736fa,
agent a3 gw=gw-1 site=lyon last=1793491270000000 cloud=1 stale=0 revoked=0 deleted=0 certs=11507a0e2f5e,cba06b5736fa,ce5e9407c938,
agent a4 gw= site= last=1793491213000000 cloud=0 stale=0 revoked=0 deleted=1 certs=cba06b5736fa,
agent ghost gw= site= last=- cloud=0 stale=1 revoked=0 deleted=0 certs=
stale ghost last=1793491205000000 flagged=1793491241000000 holds_up=
stale a2 last=1793491211000000 flagged=1793491240000000 holds_up=r2,
cert 11507a0e2f5e kind=1 subject=CN=new serial=01 not_after=1802491200000000 agent= holders=2 revoked=0 registered=1
cert 6f1570490330 kind=3 subject= serial=0a not_after=1798491200000000 agent=a3 holders=0 revoked=0 registered=1
cert cba06b5736fa kind=1 subject=CN=old serial=01 not_after=1794391200000000 agent= holders=3 revoked=0 registered=1
cert ce5e9407c938 kind=0 subject= serial= not_after=0 agent= holders=1 revoked=1 registered=0
)golden";

std::string SnapshotOf(FleetProjection& fleet) {
  MapKv state;
  fleet.WriteAll(state);
  Checkpoint at{fleet.last_sequence(), fleet.as_of(), {}};
  at.hash.fill(0x5a);
  Result<std::string> bytes = EncodeSnapshot("fleet", at, state);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  return bytes.ok() ? *bytes : "";
}

std::string Golden() {
  std::string bytes;
  EXPECT_TRUE(FromHex(kGoldenSnapshotHex, &bytes));
  return bytes;
}

TEST(FleetStoreGoldenTest, PrintsTheGoldenBytesWhenAsked) {
  if (std::getenv("ROTOR_PRINT_FLEET_GOLDEN") == nullptr) GTEST_SKIP();
  FleetProjection fleet;
  FoldHistory(&fleet);
  std::string hex = ToHex(SnapshotOf(fleet));
  std::printf("kGoldenSnapshotHex =\n");
  for (size_t i = 0; i < hex.size(); i += 96)
    std::printf("    \"%s\"\n", hex.substr(i, 96).c_str());
  std::printf("kGoldenDump =\n%s\n", fleet.Dump().c_str());
}

TEST(FleetStoreGoldenTest, StateWrittenByTheOldCodeLoadsToTheSameState) {
  Result<std::unique_ptr<SnapshotReader>> snapshot = DecodeSnapshot(Golden());
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  FleetProjection fleet;
  Status loaded = fleet.Load(**snapshot);
  ASSERT_TRUE(loaded.ok()) << loaded.ToString();
  EXPECT_TRUE(fleet.VerifyCounters().ok());
  EXPECT_EQ(fleet.Dump(), kGoldenDump);
  EXPECT_EQ(fleet.last_sequence(), 19u);
}

TEST(FleetStoreGoldenTest, TheSameHistoryIsWrittenAsTheSameBytes) {
  FleetProjection fleet;
  FoldHistory(&fleet);
  EXPECT_EQ(fleet.Dump(), kGoldenDump);
  EXPECT_EQ(ToHex(SnapshotOf(fleet)), kGoldenSnapshotHex);
}

TEST(FleetStoreGoldenTest, LoadedStateIsWrittenBackByteForByte) {
  Result<std::unique_ptr<SnapshotReader>> snapshot = DecodeSnapshot(Golden());
  ASSERT_TRUE(snapshot.ok());
  FleetProjection fleet;
  ASSERT_TRUE(fleet.Load(**snapshot).ok());
  EXPECT_EQ(ToHex(SnapshotOf(fleet)), kGoldenSnapshotHex);
}

}  // namespace
}  // namespace rotor::projections
