#include "services/rotorctl/transparency.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include "base/base64.h"
#include "base/coding.h"
#include "events/record.h"
#include "services/rotorctl/format.h"
#include "services/transparency/note.h"

namespace rotor::ctl {
namespace {

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Reads one varint-length-delimited message; false at a clean end of file.
Result<bool> ReadDelimited(std::istream& in, std::string* out) {
  char prefix[10];
  size_t length = 0;
  for (int c = in.get();; c = in.get()) {
    if (c == EOF) {
      if (length == 0) return false;
      return Status::InvalidArgument("export: the file ends inside a length prefix");
    }
    prefix[length++] = static_cast<char>(c);
    if ((c & 0x80) == 0) break;  // the prefix's last byte
    if (length == sizeof prefix) {
      return Status::InvalidArgument("export: a length prefix is too long");
    }
  }
  uint64_t size = 0;
  if (GetVarint64Ptr(prefix, prefix + length, &size) == nullptr) {
    return Status::InvalidArgument("export: a length prefix is too long");
  }
  if (size > (64u << 20)) return Status::InvalidArgument("export: a record is over 64 MiB");
  out->resize(size);
  if (!in.read(out->data(), static_cast<std::streamsize>(size))) {
    return Status::InvalidArgument("export: the file ends inside a record");
  }
  return true;
}

CheckpointCheck Bad(uint64_t records, uint64_t sequence, std::string problem) {
  return CheckpointCheck{false, records, sequence, std::move(problem)};
}

std::string Truncated(uint64_t records, uint64_t size) {
  return "the log ends at sequence " + std::to_string(records) + " but the checkpoint covers " +
         std::to_string(size) + " records: its tail was cut off";
}

std::string Differs(uint64_t size) {
  return "the log's first " + std::to_string(size) +
         " records are not the ones the checkpoint signed: its history was rewritten or forked "
         "at or before this sequence";
}

}  // namespace

Result<Sha256Digest> DecodeHash(const json& reply, const char* key) {
  Result<std::string> bytes = Base64Decode(Str(reply, key), key);
  if (!bytes.ok()) return bytes.status();
  if (bytes->size() != 32) return Status::InvalidArgument(std::string(key) + " is not 32 bytes");
  Sha256Digest d{};
  std::memcpy(d.data(), bytes->data(), 32);
  return d;
}

Result<std::vector<Sha256Digest>> DecodeProof(const json& reply) {
  std::vector<Sha256Digest> proof;
  for (const json& h : Array(reply, {"proof"})) {
    Result<std::string> b = Base64Decode(h.is_string() ? h.get<std::string>() : "", "proof");
    if (!b.ok()) return b.status();
    if (b->size() != 32) return Status::InvalidArgument("a proof hash is not 32 bytes");
    std::memcpy(proof.emplace_back().data(), b->data(), 32);
  }
  return proof;
}

Result<transparency::Checkpoint> ParseSignedCheckpoint(const std::string& note,
                                                       const std::string& verifier_key) {
  std::string key = verifier_key;
  if (key.find('+') == std::string::npos) {
    Result<std::string> text = ReadText(verifier_key);
    if (!text.ok()) return text.status();
    key = *text;
  }
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' ')) {
    key.pop_back();
  }
  Result<transparency::NoteVerifier> verifier = transparency::NoteVerifier::Parse(key);
  if (!verifier.ok()) return verifier.status();
  Result<std::string> body = verifier->Open(note);
  if (!body.ok()) return body.status();
  return transparency::ParseCheckpoint(*body);
}

Result<transparency::Checkpoint> LoadCheckpoint(const std::string& path,
                                                const std::string& verifier_key) {
  Result<std::string> note = ReadText(path);
  if (!note.ok()) return note.status();
  Result<transparency::Checkpoint> c = ParseSignedCheckpoint(*note, verifier_key);
  if (!c.ok()) return c.status().WithContext("checkpoint " + path);
  return c;
}

Result<CheckpointCheck> CheckExport(std::istream& in, const transparency::Checkpoint& checkpoint) {
  merkle::CompactRange range;
  Sha256Digest prev{};
  std::string bytes;
  RecordedEvent record;
  uint64_t n = 0;
  while (true) {
    Result<bool> more = ReadDelimited(in, &bytes);
    if (!more.ok()) return more.status().WithContext("after record " + std::to_string(n));
    if (!*more) break;
    Status s = DecodeEnvelope(bytes, &record);
    if (!s.ok()) return s.WithContext("export record " + std::to_string(n + 1));
    ++n;
    if (record.sequence != n) {
      return Bad(n - 1, n,
                 "sequence " + std::to_string(n) + " is missing (the export holds " +
                     std::to_string(record.sequence) + " next)");
    }
    std::string canonical = EncodeCanonical(record);
    if (record.prev_hash != prev ||
        Sha256(std::string_view(reinterpret_cast<const char*>(prev.data()), 32), canonical) !=
            record.hash) {
      return Bad(n, n, "sequence " + std::to_string(n) + ": the hash chain is broken");
    }
    prev = record.hash;
    range.Add(merkle::LeafHash(canonical));
    if (n == checkpoint.size && range.Root() != checkpoint.root) {
      return Bad(n, n, Differs(n));
    }
  }
  if (n < checkpoint.size) return Bad(n, n + 1, Truncated(n, checkpoint.size));
  CheckpointCheck ok;
  ok.records = n;
  return ok;
}

std::optional<CheckpointCheck> CheckServer(Session& s, const transparency::Checkpoint& checkpoint) {
  std::optional<json> verify = s.Request("GET", "/v1/verify");
  if (!verify) return std::nullopt;
  auto records = static_cast<uint64_t>(Num(*verify, "events"));
  if (!Bool(*verify, "ok")) {
    auto first = static_cast<uint64_t>(Num(*verify, "first_bad_sequence"));
    return Bad(records, first, Str(*verify, "problem"));
  }
  if (records < checkpoint.size) {
    return Bad(records, records + 1, Truncated(records, checkpoint.size));
  }
  if (checkpoint.size == 0) return CheckpointCheck{true, records, 0, ""};
  std::optional<json> reply =
      s.Request("GET", "/v1/proofs/consistency", nullptr,
                {{"from", std::to_string(checkpoint.size)}, {"to", std::to_string(records)}});
  if (!reply) return std::nullopt;
  Result<Sha256Digest> to_root = DecodeHash(*reply, "to_root_hash");
  Result<Sha256Digest> tree_root = DecodeHash(*verify, "tree_root");
  Result<std::vector<Sha256Digest>> proof = DecodeProof(*reply);
  if (!proof.ok()) return Bad(records, checkpoint.size, "malformed proof");
  // The proof must lead from the saved root to the root of the records the
  // server just verified, not merely to a root it names.
  if (!to_root.ok() || !tree_root.ok() || *to_root != *tree_root ||
      !merkle::VerifyConsistency(checkpoint.size, records, checkpoint.root, *to_root, *proof)
           .ok()) {
    return Bad(records, checkpoint.size, Differs(checkpoint.size));
  }
  return CheckpointCheck{true, records, 0, ""};
}

}  // namespace rotor::ctl
