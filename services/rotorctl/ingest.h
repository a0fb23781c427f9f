// Ingest: the bulk path for agent reports (`rotorctl ingest FILE|-`). Reads
// newline-delimited JSON AgentReports (protobuf's JSON mapping), sends them
// in batches to POST /v1/reports:batch and adds up how many were ingested,
// skipped as duplicates, and rejected with their reasons. A line that is not
// a JSON object is rejected here, naming its line number; a batch the
// server refuses as a whole is retried report by report (POST /v1/reports)
// so that one bad report cannot hide the others. Single-threaded.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "services/rotorctl/session.h"

namespace rotor::ctl {

struct IngestRejection {
  std::string report_id;  // or "line N" when the line had none
  std::string reason;
};

struct IngestCounts {
  uint64_t lines = 0;  // non-blank lines read
  uint64_t ingested = 0;
  uint64_t duplicates = 0;
  std::vector<IngestRejection> rejected;
};

// Ingests every line of `in` in batches of `batch_size`. Returns false after
// printing the error when the server could not be reached or failed (5xx);
// `counts` then holds what was done before.
bool IngestReports(Session& session, std::istream& in, size_t batch_size, IngestCounts& counts);

}  // namespace rotor::ctl
