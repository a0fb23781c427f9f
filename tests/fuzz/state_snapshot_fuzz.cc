// Target: the deciders' state snapshots, read back when rotord starts
// (services/domain/state_codec.h, services/app/state_snapshots.h). DecodeState
// must refuse damaged bytes with kCorruption (or another format version with
// kFailedPrecondition) and never crash; a state it accepts must answer the
// deciders' progress queries, fold further events, and encode to bytes that
// decode again.
//
// Input: the encoded state (EncodeState's bytes, without the file's header).
#include <string>

#include "services/domain/progress.h"
#include "services/domain/state.h"
#include "services/domain/state_codec.h"
#include "tests/fuzz/fuzz_util.h"

namespace rotor::domain {
namespace {

void Exercise(DomainState& state) {
  for (const auto& [id, rollout] : state.rollouts) {
    RolloutProgress p = ComputeProgress(state, rollout, size_t{5});
    FUZZ_CHECK(p.outstanding_agent_ids.size() <= 5);
    (void)IsActive(state, rollout);
  }
  std::string first;
  state.ForEachAgent([&](std::string_view id, const AgentState& agent) {
    FUZZ_CHECK(state.FindAgent(id) == &agent);
    (void)state.CemSerialOf(agent);
    (void)state.RevocationOf(agent);
    if (first.empty()) first = std::string(id);
  });
  Time at = TimeFromMicros(1);
  uint64_t next = state.last_sequence + 1;
  for (const std::string& agent :
       {first.empty() ? std::string("fuzz-agent") : first, std::string("fuzz-new-agent")}) {
    Evolve(state, {next++, "agent-" + agent, 1, at, "fuzz"},
           AgentInventoryReported{
               "fuzz-report", agent, at, {"fp-a", "fp-b"}, "gw", "site", true, false});
    Evolve(state, {next++, "agent-" + agent, 2, at, "fuzz"}, AgentResourceDeleted{agent, "fuzz"});
  }
}

}  // namespace
}  // namespace rotor::domain

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using rotor::StatusCode;
  rotor::Result<rotor::domain::DomainState> state =
      rotor::domain::DecodeState(rotor::fuzz::Bytes(data, size));
  if (!state.ok()) {
    StatusCode code = state.status().code();
    FUZZ_CHECK(code == StatusCode::kCorruption || code == StatusCode::kFailedPrecondition);
    return 0;
  }
  rotor::domain::Exercise(*state);
  FUZZ_CHECK(rotor::domain::DecodeState(rotor::domain::EncodeState(*state)).ok());
  return 0;
}
