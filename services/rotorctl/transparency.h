// Provable history for rotorctl (docs/audit.md): checking a log against a
// checkpoint an auditor saved earlier, on a server or a data directory
// (through the API) or offline on an `export --format protobuf` file.
// Single-threaded.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "events/merkle.h"
#include "services/rotorctl/session.h"
#include "services/transparency/checkpoint.h"

namespace rotor::ctl {

// What a check found: ok, or the first sequence that differs and why.
struct CheckpointCheck {
  bool ok = true;
  uint64_t records = 0;  // records the log (or export) holds
  uint64_t first_bad_sequence = 0;
  std::string problem;
};

// Opens checkpoint note text with `verifier_key` (the key text, or a file
// holding it) and parses it. Errors: as LoadCheckpoint.
Result<transparency::Checkpoint> ParseSignedCheckpoint(const std::string& note,
                                                       const std::string& verifier_key);

// The 32-byte hash at `key` of an API answer (base64). Errors:
// kInvalidArgument naming the key.
Result<Sha256Digest> DecodeHash(const json& reply, const char* key);
// The hashes of the answer's "proof" list. Errors: kInvalidArgument.
Result<std::vector<Sha256Digest>> DecodeProof(const json& reply);

// Reads a checkpoint note from `path` and opens it with `verifier_key` (the
// key text, or a file holding it). Errors: kIoError, kInvalidArgument
// (malformed), kPermissionDenied (the signature does not verify).
Result<transparency::Checkpoint> LoadCheckpoint(const std::string& path,
                                                const std::string& verifier_key);

// Offline: checks the chain of the length-delimited envelopes in `in` and
// that their first checkpoint.size records have the checkpoint's root.
// Errors: kInvalidArgument for a malformed file.
Result<CheckpointCheck> CheckExport(std::istream& in, const transparency::Checkpoint& checkpoint);

// Through the API: GET /v1/verify (the chain and the stored tree), then a
// consistency proof from the checkpoint to the log's current tree, checked
// here. nullopt when a request failed (the error was printed).
std::optional<CheckpointCheck> CheckServer(Session& s, const transparency::Checkpoint& checkpoint);

}  // namespace rotor::ctl
