// The workload of `rotor-bench node` against one real rotord process: the
// files rotord needs (tokens of digests, a CEM issuing CA), a fleet built
// through the daemon's own ingest path, and the requests whose latency must
// not grow with the fleet.
//
// A fleet of N agents: two server-web certificates; agents fleet-0 to
// fleet-<N-1> each send one cloud-enabled report holding the old one
// (POST /v1/reports:batch, 1,000 a batch, the ingest role); a replacement
// kBenchRollout of old by new (counting the whole fleet); a fleet-wide CEM
// agent certificate renewal kNodeRenewal.
//
// Thread safety: thread-compatible; one ApiClient per caller.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "services/bench/stream_load.h"

namespace rotor::bench {

inline constexpr char kNodeRenewal[] = "bench-renewal";

// Files under a directory for every rotord of a run.
struct NodeFiles {
  std::string tokens;   // BenchTokensFile()
  std::string ca_cert;  // a self-signed CEM issuing CA (EC P-256)
  std::string ca_key;
};

// Writes NodeFiles under `dir`. Errors: kIoError naming a file that cannot
// be written; as BenchTokensFile and ca::GenerateSelfSignedCa.
Result<NodeFiles> MakeNodeFiles(const std::string& dir);

// rotord's flags for a plain-HTTP daemon on 127.0.0.1 and a free port over
// `data_dir`, with the tokens and the CA of `files`, then `extra`.
std::vector<std::string> NodeRotordArgs(const std::string& data_dir, const NodeFiles& files,
                                        const std::vector<std::string>& extra);

struct FleetFingerprints {
  std::string old_fp;
  std::string new_fp;
};

// Builds the fleet of `agents` agents described above. Returns the two
// fingerprints. Errors: the first failing call's.
Result<FleetFingerprints> BuildFleet(ApiClient& api, uint64_t agents);

// Latencies measured during the renewal, in milliseconds.
struct RequestLatencies {
  double csr_p99 = 0;              // POST /v1/agents/{id}/csr without rollout_id
  double report_p99 = 0;           // POST /v1/reports, one agent receiving the new certificate
  double finalize_refusal_ms = 0;  // median of kFinalizeTries refused finalizes (412)
};

// One rotord whose requests are timed: a client of it and its fleet's
// certificates (BuildFleet's).
struct TimedFleet {
  ApiClient* api = nullptr;
  FleetFingerprints fps;
};

// Times the same requests on every fleet of `fleets`, interleaved: each
// request is sent to every fleet in turn, starting with a different fleet
// each time, so that what else the machine does at a moment (other
// processes, disk writes) falls on all fleets alike. The requests:
// `requests` CSRs (a fresh EC P-256 key and CSR per agent, made before the
// clock starts, the same CSR for an agent on every fleet) for agents fleet-0
// to fleet-<requests-1>, signed by the CA (operator role); `requests` single
// reports of both certificates from the next agents (ingest role); refused
// finalizes of kBenchRollout. Returns one RequestLatencies per fleet, in
// order. Needs fleets of at least 2 * `requests` agents. Errors: the first
// failing call's, e.g. a CSR not signed or a finalize not refused with 412.
Result<std::vector<RequestLatencies>> MeasureRequests(const std::vector<TimedFleet>& fleets,
                                                      uint64_t requests);

// The log's head sequence (rotor_log_head_sequence of GET /metrics).
// Errors: the call's; kInternal when the metric is missing.
Result<uint64_t> LogHead(ApiClient& api);

}  // namespace rotor::bench
