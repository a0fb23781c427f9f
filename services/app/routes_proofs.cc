// Provable history (docs/audit.md): signed checkpoints of the log's RFC 9162
// Merkle tree, and inclusion and consistency proofs against them. Hashes are
// base64, as in C2SP checkpoints.
#include "base/base64.h"
#include "events/merkle.h"
#include "services/app/engine_core.h"
#include "services/transparency/checkpoint.h"

namespace rotor::app {
namespace {

using nlohmann::json;

std::string B64(const Sha256Digest& d) {
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

json HashList(const std::vector<Sha256Digest>& hashes) {
  json out = json::array();
  for (const Sha256Digest& h : hashes) out.push_back(B64(h));
  return out;
}

ApiResponse NoteResponse(std::string note) {
  ApiResponse r;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(note);
  return r;
}

// Extends the tree to the log's head, so that every acknowledged event is provable.
Result<uint64_t> CurrentTree(EngineCore& core) { return core.notary->CatchUp(); }

ApiResponse GetCheckpoint(EngineCore& core, const RouteContext& ctx) {
  if (ctx.request.query.count("tree_size") > 0) {
    Result<uint64_t> size = QueryNumber(ctx.request, "tree_size", 0, UINT64_MAX - 1);
    if (!size.ok()) return ErrorResponse(size.status());
    Result<std::optional<std::string>> note = core.tree->Checkpoint(*size);
    if (!note.ok()) return ErrorResponse(note.status());
    if (!note->has_value()) {
      return ErrorResponse(Status::NotFound("no checkpoint was signed at tree size " +
                                            std::to_string(*size) +
                                            " (GET /v1/checkpoints lists them)"));
    }
    return NoteResponse(**note);
  }
  Result<std::optional<std::pair<uint64_t, std::string>>> latest = core.tree->LatestCheckpoint();
  if (!latest.ok()) return ErrorResponse(latest.status());
  if (!latest->has_value()) {
    return ErrorResponse(Status::NotFound(
        core.notary->can_sign() ? "no checkpoint signed yet (POST /v1/checkpoints signs one now)"
                                : "no checkpoint key is configured (rotorctl keys init, then "
                                  "rotord --checkpoint-key)"));
  }
  return NoteResponse((*latest)->second);
}

ApiResponse SignCheckpoint(EngineCore& core, const RouteContext&) {
  Result<std::string> note = core.notary->SignNow();
  if (!note.ok()) return ErrorResponse(note.status());
  return NoteResponse(std::move(*note));
}

// One stored checkpoint as the list shows it: its tree size, root hash and
// the time of the last event it covers.
Result<json> CheckpointEntry(EngineCore& core, uint64_t size) {
  Result<std::optional<std::string>> note = core.tree->Checkpoint(size);
  if (!note.ok()) return note.status();
  if (!note->has_value()) return Status::NotFound("checkpoint " + std::to_string(size));
  const std::string& text = **note;
  size_t blank = text.find("\n\n");
  std::string_view body{text.data(), blank == std::string::npos ? text.size() : blank + 1};
  Result<transparency::Checkpoint> parsed = transparency::ParseCheckpoint(body);
  if (!parsed.ok()) return parsed.status().WithContext("stored checkpoint " + std::to_string(size));
  json entry = {{"tree_size", size}, {"root_hash", B64(parsed->root)}};
  RecordedEvent last;
  if (size > 0 && core.log->ReadOne(size, &last).ok()) {
    entry["recorded_at"] = FormatTime(last.recorded_at);
  }
  return entry;
}

// ?from=&limit= (ascending) or ?latest=N (the N largest, largest first).
ApiResponse ListCheckpoints(EngineCore& core, const RouteContext& ctx) {
  Result<uint64_t> from = QueryNumber(ctx.request, "from", 0, UINT64_MAX - 1);
  if (!from.ok()) return ErrorResponse(from.status());
  Result<uint64_t> limit = QueryNumber(ctx.request, "limit", 100, 10000);
  if (!limit.ok()) return ErrorResponse(limit.status());
  Result<uint64_t> latest = QueryNumber(ctx.request, "latest", 0, 1000);
  if (!latest.ok()) return ErrorResponse(latest.status());
  Result<std::vector<uint64_t>> sizes = ctx.request.query.count("latest") > 0
                                            ? core.tree->LatestCheckpointSizes(*latest)
                                            : core.tree->CheckpointSizes(*from, *limit);
  if (!sizes.ok()) return ErrorResponse(sizes.status());
  json checkpoints = json::array();
  for (uint64_t size : *sizes) {
    Result<json> entry = CheckpointEntry(core, size);
    if (!entry.ok()) return ErrorResponse(entry.status());
    checkpoints.push_back(std::move(*entry));
  }
  return JsonResponse({{"tree_sizes", *sizes},
                       {"checkpoints", std::move(checkpoints)},
                       {"origin", core.notary->origin()},
                       {"verifier_key", core.notary->VerifierKey()}});
}

ApiResponse GetTree(EngineCore& core, const RouteContext&) {
  Result<uint64_t> size = CurrentTree(core);
  if (!size.ok()) return ErrorResponse(size.status());
  Result<Sha256Digest> root = core.tree->Root(*size);
  if (!root.ok()) return ErrorResponse(root.status());
  return JsonResponse({{"tree_size", *size},
                       {"root_hash", B64(*root)},
                       {"origin", core.notary->origin()},
                       {"verifier_key", core.notary->VerifierKey()}});
}

// The tree size a proof is for: ?tree_size=, else the latest checkpoint's
// when it covers `at_least`, else the whole tree.
Result<uint64_t> ProofTreeSize(EngineCore& core, const ApiRequest& request, uint64_t at_least) {
  Result<uint64_t> current = CurrentTree(core);
  if (!current.ok()) return current.status();
  if (request.query.count("tree_size") > 0) {
    return QueryNumber(request, "tree_size", 0, UINT64_MAX - 1);
  }
  Result<std::optional<std::pair<uint64_t, std::string>>> latest = core.tree->LatestCheckpoint();
  if (!latest.ok()) return latest.status();
  if (latest->has_value() && (*latest)->first >= at_least) return (*latest)->first;
  return *current;
}

ApiResponse Inclusion(EngineCore& core, const RouteContext& ctx) {
  if (ctx.request.query.count("sequence") == 0) {
    return ErrorResponse(Status::InvalidArgument("missing query parameter 'sequence'"));
  }
  Result<uint64_t> sequence = QueryNumber(ctx.request, "sequence", 0, UINT64_MAX - 1);
  if (!sequence.ok()) return ErrorResponse(sequence.status());
  if (*sequence == 0) return ErrorResponse(Status::InvalidArgument("sequence starts at 1"));
  Result<uint64_t> size = ProofTreeSize(core, ctx.request, *sequence);
  if (!size.ok()) return ErrorResponse(size.status());
  if (*sequence > *size) {
    return ErrorResponse(Status::InvalidArgument("sequence " + std::to_string(*sequence) +
                                                 " is not in the tree of size " +
                                                 std::to_string(*size)));
  }
  RecordedEvent record;
  ROTOR_RETURN_IF_ERROR_RESPONSE(core.log->ReadOne(*sequence, &record));
  std::string canonical = EncodeCanonical(record);
  Result<std::vector<Sha256Digest>> proof = core.tree->InclusionProof(*sequence - 1, *size);
  if (!proof.ok()) return ErrorResponse(proof.status());
  Result<Sha256Digest> root = core.tree->Root(*size);
  if (!root.ok()) return ErrorResponse(root.status());
  return JsonResponse({{"sequence", *sequence},
                       {"leaf_index", *sequence - 1},
                       {"tree_size", *size},
                       {"leaf_hash", B64(merkle::LeafHash(canonical))},
                       {"canonical_base64", Base64Encode(canonical)},
                       {"root_hash", B64(*root)},
                       {"proof", HashList(*proof)}});
}

ApiResponse Consistency(EngineCore& core, const RouteContext& ctx) {
  Result<uint64_t> current = CurrentTree(core);
  if (!current.ok()) return ErrorResponse(current.status());
  if (ctx.request.query.count("from") == 0) {
    return ErrorResponse(Status::InvalidArgument("missing query parameter 'from'"));
  }
  Result<uint64_t> from = QueryNumber(ctx.request, "from", 0, UINT64_MAX - 1);
  if (!from.ok()) return ErrorResponse(from.status());
  Result<uint64_t> to = QueryNumber(ctx.request, "to", *current, UINT64_MAX - 1);
  if (!to.ok()) return ErrorResponse(to.status());
  Result<std::vector<Sha256Digest>> proof = core.tree->ConsistencyProof(*from, *to);
  if (!proof.ok()) return ErrorResponse(proof.status());
  Result<Sha256Digest> from_root = core.tree->Root(*from);
  Result<Sha256Digest> to_root = core.tree->Root(*to);
  if (!from_root.ok()) return ErrorResponse(from_root.status());
  if (!to_root.ok()) return ErrorResponse(to_root.status());
  return JsonResponse({{"from", *from},
                       {"to", *to},
                       {"from_root_hash", B64(*from_root)},
                       {"to_root_hash", B64(*to_root)},
                       {"proof", HashList(*proof)}});
}

}  // namespace

void AddProofRoutes(EngineCore& core) {
  EngineCore* c = &core;
  Router& r = core.router;
  r.Add("GET", "/v1/checkpoint", kReaders, RouteKind::kStatus,
        [c](const RouteContext& ctx) { return GetCheckpoint(*c, ctx); });
  r.Add("POST", "/v1/checkpoints", kAuditor, RouteKind::kStatus,
        [c](const RouteContext& ctx) { return SignCheckpoint(*c, ctx); });
  r.Add("GET", "/v1/checkpoints", kReaders, RouteKind::kStatus,
        [c](const RouteContext& ctx) { return ListCheckpoints(*c, ctx); });
  r.Add("GET", "/v1/tree", kReaders, RouteKind::kStatus,
        [c](const RouteContext& ctx) { return GetTree(*c, ctx); });
  r.Add("GET", "/v1/proofs/inclusion", kReaders, RouteKind::kStatus,
        [c](const RouteContext& ctx) { return Inclusion(*c, ctx); });
  r.Add("GET", "/v1/proofs/consistency", kReaders, RouteKind::kStatus,
        [c](const RouteContext& ctx) { return Consistency(*c, ctx); });
}

}  // namespace rotor::app
