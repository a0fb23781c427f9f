#include "events/verify.h"

namespace rotor {

Result<VerifyReport> Verify(const EventLog& log) {
  VerifyReport report;
  uint64_t expected = 1;
  Sha256Digest prev{};
  RecordedEvent record;
  auto fail = [&](uint64_t seq, std::string problem) {
    report.ok = false;
    report.first_bad_sequence = seq;
    report.problem = std::move(problem);
    return false;
  };
  Status scan = log.ScanStored(1, Direction::kForward, [&](uint64_t seq, std::string_view value) {
    if (seq != expected) {
      return fail(expected, "sequence " + std::to_string(expected) +
                                " is missing (next stored is " + std::to_string(seq) + ")");
    }
    Status s = DecodeStoredRecord(seq, value, &record, HashCheck::kVerify);
    if (!s.ok()) return fail(seq, s.message());
    if (record.prev_hash != prev) {
      return fail(seq, "sequence " + std::to_string(seq) +
                           ": prev_hash does not match the hash of the previous record");
    }
    prev = record.hash;
    ++report.events;
    ++expected;
    return true;
  });
  ROTOR_RETURN_IF_ERROR(scan);
  if (report.ok && report.events < log.Head()) {
    fail(report.events + 1, "log ends at sequence " + std::to_string(report.events) +
                                " but its head is " + std::to_string(log.Head()));
  }
  report.head_hash = prev;
  return report;
}

}  // namespace rotor
