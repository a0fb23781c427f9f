// Target: the projections' stored state, as read back from the projection
// store when rotord starts (docs/projections.md). FleetProjection::Load
// (projections/fleet_persist.cc, projections/encoding.h), AuditProjection::Load
// and the runner's checkpoint (DecodeCheckpoint, projections/store.cc) must
// refuse damaged state with kCorruption and never crash; state they accept
// must hold consistent counters, answer every query, and survive
// WriteAll + Load unchanged.
//
// Input: the key space, as pairs of length-prefixed strings (varint length,
// bytes: projections/encoding.h PutBytes), key then value.
#include <string>

#include "projections/audit_projection.h"
#include "projections/encoding.h"
#include "projections/fleet_projection.h"
#include "projections/store.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/projections/map_kv.h"

namespace rotor::projections {
namespace {

using testing::MapKv;

void CheckFleet(const MapKv& stored) {
  FleetProjection fleet;
  if (!fleet.Load(stored).ok()) return;
  FUZZ_CHECK(fleet.VerifyCounters().ok());
  for (const RolloutProgress& r : fleet.Rollouts()) {
    FUZZ_CHECK(fleet.ProgressWithBreakdown(r.rollout_id).has_value());
  }
  (void)fleet.StaleAgents();
  for (const AgentView& a : fleet.Agents(0, 64)) FUZZ_CHECK(fleet.Agent(a.agent_id).has_value());
  (void)fleet.Certificates();
  (void)fleet.CertificatesDueForRenewal(fleet.as_of(), 30);

  MapKv written;
  fleet.WriteAll(written);
  FleetProjection reloaded;
  FUZZ_CHECK(reloaded.Load(written).ok());
  FUZZ_CHECK(reloaded.Dump() == fleet.Dump());
}

void CheckAudit(const MapKv& stored) {
  AuditProjection audit;
  if (!audit.Load(stored).ok()) return;
  MapKv written;
  audit.WriteAll(written);
  AuditProjection reloaded;
  FUZZ_CHECK(reloaded.Load(written).ok());
  MapKv rewritten;
  reloaded.WriteAll(rewritten);
  FUZZ_CHECK(rewritten.map == written.map);
}

}  // namespace
}  // namespace rotor::projections

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rotor::projections;
  Reader in(rotor::fuzz::Bytes(data, size));
  MapKv stored;
  std::string key, value;
  while (in.Bytes(&key) && in.Bytes(&value)) stored.map[key] = value;

  auto checkpoint = stored.map.find(kCheckpointKey);
  if (checkpoint != stored.map.end()) {
    rotor::Result<Checkpoint> cp = DecodeCheckpoint(checkpoint->second);
    if (cp.ok()) {
      rotor::Result<Checkpoint> again = DecodeCheckpoint(EncodeCheckpoint(*cp));
      FUZZ_CHECK(again.ok() && *again == *cp);
    }
  }
  CheckFleet(stored);
  CheckAudit(stored);
  return 0;
}
