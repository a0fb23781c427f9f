// Agent reports for the Kafka tests, as bytes made by protoc and produced by
// kcat: no Rotor code writes them.
//
// Why templates: one `protoc --encode` per report costs ~20 ms, far too slow
// for 100,000 reports. A protobuf string field's bytes are its length
// followed by its characters, so a template encoded once with fixed-width
// fields ("r-RRRRRRRRRR", "agent-AAAAAAAA", the letters marking where the
// digits go) stays a valid encoding when those letters are overwritten with
// digits of the same width.
//
// Why kcat -D with eight 0xFF bytes: kcat splits its input on a delimiter,
// and binary values may contain any byte. In these reports every string is
// ASCII and every length and tag is below 0x80, so bytes >= 0x80 only occur
// inside varints, and a varint has at most four such bytes in a row (the
// timestamp's seconds and nanos fit in five bytes). Eight 0xFF bytes in a row
// therefore cannot occur inside a report. Keys (agent ids) end at a tab.
// Test-only; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace rotor::kafka::testing {

struct ReportTemplate {
  std::string bytes;
  size_t report_at = 0;  // offset of the 10 report digits
  size_t agent_at = 0;   // offset of the 8 agent digits

  // The report "r-<report:010>" of agent "agent-<agent:08>".
  std::string Fill(uint64_t report, uint64_t agent) const;
};

// Encodes, with protoc, a report taken at `seconds` (Unix time) holding
// `fingerprints`, from site "site-1", cloud-enabled.
ReportTemplate MakeReportTemplate(int64_t seconds, const std::vector<std::string>& fingerprints);

// "agent-<agent:08>".
std::string AgentId(uint64_t agent);

// Produces (key, value) messages to `topic` with one kcat -P call (and the
// extra kcat arguments, e.g. "-H content-type=application/json").
void KcatProduce(const std::string& bootstrap, const std::string& topic,
                 const std::vector<std::pair<std::string, std::string>>& messages,
                 const std::string& extra_args = "");

}  // namespace rotor::kafka::testing
