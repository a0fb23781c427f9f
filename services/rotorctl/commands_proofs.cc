// Provable history: keys init, checkpoint, prove. `verify --checkpoint` is
// in commands_audit.cc. See commands.h and docs/audit.md.
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <fstream>

#include "base/base64.h"
#include "events/merkle.h"
#include "services/rotorctl/commands.h"
#include "services/rotorctl/format.h"
#include "services/rotorctl/transparency.h"
#include "services/transparency/note.h"

namespace rotor::ctl {
namespace {

Status WriteSecretFile(const std::string& path, const std::string& text, bool force) {
  struct stat st {};
  if (!force && ::stat(path.c_str(), &st) == 0) {
    return Status::AlreadyExists(path + " exists (use --force to replace it)");
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::IoError("cannot write " + path);
  ::chmod(path.c_str(), 0600);
  out << text;
  out.close();
  if (!out) return Status::IoError("writing " + path + " failed");
  return Status::Ok();
}

void AddKeysInit(CLI::App& app, Session& s, Action& action) {
  CLI::App* keys = app.add_subcommand("keys", "the checkpoint signing key");
  keys->require_subcommand(1);
  CLI::App* init = keys->add_subcommand(
      "init", "create an Ed25519 checkpoint key; prints its verifier key for auditors");
  auto name = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  init->add_option("--name", *name,
                   "the key's name, usually the log's origin (rotor.example.com/prod)")
      ->required();
  init->add_option("--out,-o", *out, "the signer key file to write (mode 0600)")->required();
  init->add_flag("--force", *force, "replace an existing file");
  init->callback([&s, &action, name, out, force] {
    action = [&s, name, out, force] {
      Result<transparency::NoteSigner> signer = transparency::NoteSigner::Generate(*name);
      if (!signer.ok()) return s.FailStatus(signer.status());
      Status written = WriteSecretFile(*out, signer->SignerKey() + "\n", *force);
      if (!written.ok()) return s.FailStatus(written);
      std::printf("%s\n", signer->VerifierKey().c_str());
      std::fprintf(stderr, "wrote the signer key to %s; give auditors the verifier key above\n",
                   out->c_str());
      return 0;
    };
  });
}

void AddCheckpoint(CLI::App& app, Session& s, Action& action) {
  CLI::App* cmd = app.add_subcommand(
      "checkpoint", "print (or save) the latest signed checkpoint of the log's Merkle tree");
  auto sign = std::make_shared<bool>(false);
  auto size = std::make_shared<uint64_t>(0);
  auto out = std::make_shared<std::string>("-");
  cmd->add_flag("--sign", *sign, "ask the server to sign a checkpoint of the whole log now");
  cmd->add_option("--tree-size", *size, "the checkpoint signed at this tree size");
  cmd->add_option("--output,-o", *out, "file to write ('-' for stdout)");
  cmd->callback([&s, &action, sign, size, out] {
    action = [&s, sign, size, out] {
      std::map<std::string, std::string> query;
      if (*size > 0) query["tree_size"] = std::to_string(*size);
      std::optional<app::ApiResponse> r = *sign ? s.RequestRaw("POST", "/v1/checkpoints", "{}")
                                                : s.RequestRaw("GET", "/v1/checkpoint", {}, query);
      if (!r) return s.exit_code();
      if (*out == "-") {
        std::fwrite(r->body.data(), 1, r->body.size(), stdout);
        return 0;
      }
      std::ofstream file(*out, std::ios::binary | std::ios::trunc);
      file << r->body;
      file.close();
      if (!file) return s.FailStatus(Status::IoError("cannot write " + *out));
      std::fprintf(stderr, "saved the checkpoint to %s\n", out->c_str());
      return 0;
    };
  });
}

// Checks an inclusion proof as the server sent it; "" when it holds.
std::string CheckInclusion(const json& reply) {
  Result<std::string> canonical = Base64Decode(Str(reply, "canonical_base64"), "canonical_base64");
  Result<Sha256Digest> root = DecodeHash(reply, "root_hash");
  if (!canonical.ok() || !root.ok()) return "the server's answer is malformed";
  Result<std::vector<Sha256Digest>> proof = DecodeProof(reply);
  if (!proof.ok()) return "the proof is malformed";
  Status s = merkle::VerifyInclusion(merkle::LeafHash(*canonical),
                                     static_cast<uint64_t>(Num(reply, "leaf_index")),
                                     static_cast<uint64_t>(Num(reply, "tree_size")), *proof, *root);
  return s.ok() ? "" : s.message();
}

// Checks the signed checkpoint of the proof's tree size against its root; "" when it holds.
std::string CheckSignedRoot(Session& s, const json& proof, const std::string& key, int* failed) {
  std::optional<app::ApiResponse> note =
      s.RequestRaw("GET", "/v1/checkpoint", {}, {{"tree_size", Str(proof, "tree_size")}});
  if (!note) {
    *failed = s.exit_code();
    return "";
  }
  Result<transparency::Checkpoint> c = ParseSignedCheckpoint(note->body, key);
  if (!c.ok()) return c.status().message();
  Result<Sha256Digest> root = DecodeHash(proof, "root_hash");
  if (!root.ok() || c->root != *root) return "the proof's root is not the checkpoint's";
  return "";
}

void PrintProof(const json& event, const json& proof) {
  for (const json& e : Array(event, {"events"})) std::printf("%s\n", e.dump(2).c_str());
  std::printf("leaf index %s in tree size %s, root %s\naudit path:\n",
              Str(proof, "leaf_index").c_str(), Str(proof, "tree_size").c_str(),
              Str(proof, "root_hash").c_str());
  for (const json& h : Array(proof, {"proof"})) {
    std::printf("  %s\n", h.is_string() ? h.get<std::string>().c_str() : "?");
  }
}

int Prove(Session& s, uint64_t sequence, const std::string& key, uint64_t size) {
  std::map<std::string, std::string> query = {{"sequence", std::to_string(sequence)}};
  if (size > 0) query["tree_size"] = std::to_string(size);
  std::optional<json> proof = s.Request("GET", "/v1/proofs/inclusion", nullptr, query);
  if (!proof) return s.exit_code();
  std::optional<json> event =
      s.Request("GET", "/v1/events", nullptr, {{"from", std::to_string(sequence)}, {"limit", "1"}});
  if (!event) return s.exit_code();
  std::string problem = CheckInclusion(*proof);
  if (problem.empty() && !key.empty()) {
    int failed = 0;
    problem = CheckSignedRoot(s, *proof, key, &failed);
    if (failed != 0) return failed;
  }
  if (s.json_output()) {
    const json& events = Array(*event, {"events"});
    Session::PrintJson({{"event", events.empty() ? json(nullptr) : events[0]},
                        {"proof", *proof},
                        {"verified", problem.empty()}});
  } else {
    PrintProof(*event, *proof);
  }
  if (!problem.empty()) {
    return s.Fail(kExitVerifyFailed,
                  "event " + std::to_string(sequence) + " is not proven: " + problem);
  }
  if (!s.json_output()) {
    std::printf("verified: event %llu is in the log%s\n", static_cast<unsigned long long>(sequence),
                key.empty() ? "" : " that the signed checkpoint names");
  }
  return 0;
}

void AddProve(CLI::App& app, Session& s, Action& action) {
  CLI::App* cmd = app.add_subcommand(
      "prove", "print an event with its inclusion proof against the latest checkpoint, checked");
  auto sequence = std::make_shared<uint64_t>(0);
  auto key = std::make_shared<std::string>();
  auto size = std::make_shared<uint64_t>(0);
  cmd->add_option("sequence", *sequence, "the event's sequence")
      ->required()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--key", *key,
                  "verifier key (or a file holding it): also check the checkpoint's signature");
  cmd->add_option("--tree-size", *size, "prove against this tree size instead");
  cmd->callback([&s, &action, sequence, key, size] {
    action = [&s, sequence, key, size] { return Prove(s, *sequence, *key, *size); };
  });
}

}  // namespace

void AddProofCommands(CLI::App& app, Session& s, Action& action) {
  AddKeysInit(app, s, action);
  AddCheckpoint(app, s, action);
  AddProve(app, s, action);
}

}  // namespace rotor::ctl
