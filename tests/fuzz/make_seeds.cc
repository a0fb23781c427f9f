// Writes the seed corpora of the targets whose inputs are binary: envelope,
// payload, projection_state, kafka_message and agent_report (from a random
// history of tests/projections/history_gen.h), and pem (a CA certificate and
// CSRs of each key type). The files under corpus/ were made with
//   build-clang/bin/make_fuzz_seeds tests/fuzz/corpus
// and then trimmed by hand; rerun it after a schema change. Test-only.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "events/codec.h"
#include "events/memory_event_log.h"
#include "projections/audit_projection.h"
#include "projections/encoding.h"
#include "projections/fleet_projection.h"
#include "projections/store.h"
#include "services/ca/generate.h"
#include "services/domain/state.h"
#include "services/domain/state_codec.h"
#include "tests/projections/history_gen.h"
#include "tests/projections/test_util.h"

namespace rotor {
namespace {

namespace fs = std::filesystem;
namespace pt = projections::testing;

void Write(const fs::path& dir, const std::string& name, std::string_view bytes) {
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

class Collect final : public projections::KvWriter {
 public:
  void Put(std::string_view key, std::string_view value) override {
    map[std::string(key)] = std::string(value);
  }
  void Delete(std::string_view key) override { map.erase(std::string(key)); }
  std::map<std::string, std::string> map;
};

std::string Pairs(const std::map<std::string, std::string>& map) {
  std::string out;
  for (const auto& [key, value] : map) {
    projections::PutBytes(&out, key);
    projections::PutBytes(&out, value);
  }
  return out;
}

void LogSeeds(const fs::path& root, uint64_t seed, size_t events) {
  MemoryEventLog log;
  pt::AppendAll(log, pt::RandomHistory(seed, {events, 6, 4, 2}));
  std::map<std::string, int> per_type;
  projections::FleetProjection fleet;
  projections::AuditProjection audit;
  projections::Checkpoint checkpoint;
  domain::DomainState deciders;
  Status scanned = log.ScanStored(1, Direction::kForward, [&](uint64_t seq, std::string_view v) {
    RecordedEvent record;
    if (!DecodeStoredRecord(seq, v, &record).ok()) return false;
    Result<Event> event = DecodeEvent(record);
    if (!event.ok()) return false;
    fleet.Apply(record, *event);
    audit.Apply(record, *event);
    domain::Evolve(deciders,
                   {record.sequence, record.stream_id, record.stream_version, record.recorded_at,
                    record.actor},
                   *event);
    checkpoint = {record.sequence, record.recorded_at, record.hash};
    if (per_type[record.event_type]++ >= 2) return true;  // two of each type
    std::string name = record.event_type.substr(9) + "-" + std::to_string(seq);
    Write(root / "envelope", name, v);
    Write(root / "payload", name,
          std::string(1, static_cast<char>(event->index())) + record.payload);
    if (const auto* r = std::get_if<AgentInventoryReported>(&*event)) {
      AgentReport report{r->report_id,  r->agent_id, r->reported_at,  r->certificate_fingerprints,
                         r->gateway_id, r->site,     r->cloud_enabled};
      Write(root / "agent_report", name + ".json", AgentReportToJson(report));
      Write(root / "kafka_message", name + ".json",
            "application/json\n" + AgentReportToJson(report));
      Write(root / "kafka_message", name + ".pb", "\n" + SerializeAgentReport(report));
    }
    return true;
  });
  if (!scanned.ok()) std::fprintf(stderr, "%s\n", scanned.ToString().c_str());
  Collect state;
  fleet.WriteAll(state);
  audit.WriteAll(state);
  state.map[std::string(projections::kCheckpointKey)] = projections::EncodeCheckpoint(checkpoint);
  Write(root / "projection_state", "history-" + std::to_string(seed), Pairs(state.map));
  Write(root / "state_snapshot", "history-" + std::to_string(seed), domain::EncodeState(deciders));
}

void PemSeeds(const fs::path& root) {
  Time now = pt::At(0);
  auto ca = ca::GenerateSelfSignedCa("Seed CA", now, now + std::chrono::days(365));
  if (ca.ok()) Write(root / "pem", "ca-cert.pem", ca->first);
  const std::pair<ca::KeyType, const char*> keys[] = {{ca::KeyType::kEcP256, "ec-p256"},
                                                      {ca::KeyType::kRsa2048, "rsa-2048"},
                                                      {ca::KeyType::kRsa1024, "rsa-1024"}};
  for (const auto& [type, name] : keys) {
    auto csr = ca::MakeCsr("agent-0001", type);
    if (csr.ok()) Write(root / "pem", std::string("csr-") + name + ".pem", csr->first);
  }
}

}  // namespace
}  // namespace rotor

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  rotor::LogSeeds(argv[1], 1, 40);
  rotor::LogSeeds(argv[1], 2, 150);
  rotor::PemSeeds(argv[1]);
  return 0;
}
