// Auditor commands: events, export, verify, replay. See commands.h.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "base/time.h"
#include "services/rotorctl/commands.h"
#include "services/rotorctl/export.h"
#include "services/rotorctl/format.h"
#include "services/rotorctl/transparency.h"

namespace rotor::ctl {
namespace {

void PrintEvents(const json& reply) {
  std::vector<std::vector<std::string>> rows;
  for (const json& e : Array(reply, {"events"})) {
    rows.push_back({Str(e, "sequence"), Str(e, "recorded_at"), Str(e, "stream_id"),
                    FirstStr(e, {"event_type", "type"}), Str(e, "actor")});
  }
  std::printf("%s", Table({"seq", "recorded at", "stream", "type", "actor"}, rows).c_str());
}

void AddEvents(CLI::App& app, Session& s, Action& action) {
  CLI::App* cmd = app.add_subcommand("events", "read events from the log");
  auto from = std::make_shared<uint64_t>(1);
  auto limit = std::make_shared<uint64_t>(100);
  cmd->add_option("--from", *from, "first sequence")->check(CLI::PositiveNumber);
  cmd->add_option("--limit", *limit, "at most this many")->check(CLI::Range(1, 100000));
  cmd->callback([&s, &action, from, limit] {
    action = [&s, from, limit] {
      std::optional<json> reply =
          s.Request("GET", "/v1/events", nullptr,
                    {{"from", std::to_string(*from)}, {"limit", std::to_string(*limit)}});
      if (!reply) return s.exit_code();
      if (s.json_output()) {
        Session::PrintJson(*reply);
      } else {
        PrintEvents(*reply);
      }
      return 0;
    };
  });
}

void AddExport(CLI::App& app, Session& s, Action& action) {
  CLI::App* cmd = app.add_subcommand(
      "export", "export a range of events as JSON lines or length-delimited protobuf");
  auto o = std::make_shared<ExportOptions>();
  auto out = std::make_shared<std::string>("-");
  cmd->add_option("--from", o->from, "first sequence (default 1)")->check(CLI::PositiveNumber);
  cmd->add_option("--to", o->to, "last sequence (default: the head)")->check(CLI::PositiveNumber);
  cmd->add_option("--format", o->format,
                  "jsonl (one event object a line) or protobuf (varint-length-delimited "
                  "rotor.v1.EventEnvelope with hash set)")
      ->check(CLI::IsMember({"jsonl", "protobuf"}));
  cmd->add_option("--output,-o", *out, "file to write ('-' for stdout)");
  cmd->callback([&s, &action, o, out] {
    action = [&s, o, out] {
      if (o->to != 0 && o->to < o->from) {
        return s.FailUsage("--to " + std::to_string(o->to) + " is before --from " +
                           std::to_string(o->from));
      }
      std::ofstream file;
      std::ostream* stream = &std::cout;
      if (*out != "-") {
        file.open(*out, std::ios::binary | std::ios::trunc);
        if (!file) return s.FailStatus(Status::IoError("cannot write " + *out));
        stream = &file;
      }
      Result<uint64_t> count = ExportEvents(s, *o, *stream);
      if (!count.ok()) {
        return s.exit_code() != kExitOk ? s.exit_code() : s.FailStatus(count.status());
      }
      stream->flush();
      if (!*stream) return s.FailStatus(Status::IoError("writing " + *out + " failed"));
      if (*out != "-") {
        std::fprintf(stderr, "exported %llu events to %s\n",
                     static_cast<unsigned long long>(*count), out->c_str());
      }
      return 0;
    };
  });
}

// `verify --checkpoint`: the log (or an export) against a saved checkpoint.
int VerifyCheckpoint(Session& s, const std::string& path, const std::string& key,
                     const std::string& export_path) {
  Result<transparency::Checkpoint> checkpoint = LoadCheckpoint(path, key);
  if (!checkpoint.ok()) {
    return s.Fail(kExitVerifyFailed, "refusing the checkpoint: " + checkpoint.status().ToString());
  }
  std::optional<CheckpointCheck> check;
  if (!export_path.empty()) {
    std::ifstream in(export_path, std::ios::binary);
    if (!in) return s.FailStatus(Status::IoError("cannot read " + export_path));
    Result<CheckpointCheck> offline = CheckExport(in, *checkpoint);
    if (!offline.ok()) return s.FailStatus(offline.status().WithContext(export_path));
    check = *offline;
  } else {
    check = CheckServer(s, *checkpoint);
    if (!check) return s.exit_code();
  }
  if (s.json_output()) {
    json out = {{"ok", check->ok},
                {"records", check->records},
                {"checkpoint_origin", checkpoint->origin},
                {"checkpoint_tree_size", checkpoint->size}};
    if (!check->ok) {
      out["first_bad_sequence"] = check->first_bad_sequence;
      out["problem"] = check->problem;
    }
    Session::PrintJson(out);
  }
  if (!check->ok) {
    return s.Fail(kExitVerifyFailed,
                  "the log does not extend checkpoint " + checkpoint->origin + " (tree size " +
                      std::to_string(checkpoint->size) + "): sequence " +
                      std::to_string(check->first_bad_sequence) + ": " + check->problem);
  }
  if (!s.json_output()) {
    std::printf(
        "the log extends checkpoint %s at tree size %llu: %llu records, chain and tree hold\n",
        checkpoint->origin.c_str(), static_cast<unsigned long long>(checkpoint->size),
        static_cast<unsigned long long>(check->records));
  }
  return 0;
}

void AddVerify(CLI::App& app, Session& s, Action& action) {
  CLI::App* cmd = app.add_subcommand(
      "verify",
      "prove the hash chain and the Merkle tree hold (exit 4 and the first bad sequence when not)");
  auto checkpoint = std::make_shared<std::string>();
  auto key = std::make_shared<std::string>();
  auto export_path = std::make_shared<std::string>();
  cmd->add_option("--checkpoint", *checkpoint,
                  "a checkpoint saved earlier: prove the log still extends it");
  cmd->add_option("--key", *key, "the checkpoint's verifier key (or a file holding it)");
  cmd->add_option("--export", *export_path,
                  "check this `export --format protobuf` file offline instead of a server");
  cmd->callback([&s, &action, checkpoint, key, export_path] {
    action = [&s, checkpoint, key, export_path] {
      if (!checkpoint->empty() || !key->empty() || !export_path->empty()) {
        if (checkpoint->empty() || key->empty()) {
          return s.FailUsage("--checkpoint and --key go together");
        }
        return VerifyCheckpoint(s, *checkpoint, *key, *export_path);
      }
      std::optional<json> reply = s.Request("GET", "/v1/verify");
      if (!reply) return s.exit_code();
      bool ok = Bool(*reply, "ok");
      if (s.json_output()) Session::PrintJson(*reply);
      if (ok) {
        if (!s.json_output()) {
          std::printf("hash chain holds: %lld events, head hash %s; Merkle tree root %s\n",
                      static_cast<long long>(Num(*reply, "events")),
                      Str(*reply, "head_hash").c_str(), Str(*reply, "tree_root").c_str());
        }
        return 0;
      }
      return s.Fail(kExitVerifyFailed, "hash chain broken at sequence " +
                                           Str(*reply, "first_bad_sequence") + ": " +
                                           Str(*reply, "problem"));
    };
  });
}

void PrintReplay(const json& reply) {
  int64_t snapshot = Num(reply, "snapshot_sequence");
  std::string from =
      snapshot > 0 ? " after the snapshot at sequence " + std::to_string(snapshot) : "";
  std::printf("as of %s: %lld events folded%s, up to sequence %lld (recorded %s)\n",
              Str(reply, "as_of").c_str(), static_cast<long long>(Num(reply, "events")),
              from.c_str(), static_cast<long long>(Num(reply, "last_sequence")),
              Str(reply, "last_recorded_at").c_str());
  const json& rollouts = Array(reply, {"rollouts"});
  for (const json& p : rollouts) {
    std::printf("  %s\n", ProgressLine(p).c_str());
    std::string summary = Str(p, "summary");
    if (!summary.empty()) std::printf("    %s\n", summary.c_str());
  }
  if (rollouts.empty()) std::printf("  no rollouts\n");
  std::printf("  stale agents: %zu, certificates: %zu, agents: %lld (%lld live)\n",
              Array(reply, {"stale_agents"}).size(), Array(reply, {"certificates"}).size(),
              static_cast<long long>(Num(reply, "agent_count")),
              static_cast<long long>(Num(reply, "live_agents")));
}

void AddReplay(CLI::App& app, Session& s, Action& action) {
  CLI::App* cmd =
      app.add_subcommand("replay", "every projection as it stood at a time or sequence");
  auto as_of = std::make_shared<std::string>();
  cmd->add_option("--as-of", *as_of, "RFC 3339 time (2026-11-01T00:00Z) or a sequence number")
      ->required();
  cmd->callback([&s, &action, as_of] {
    action = [&s, as_of] {
      if (!IsSequence(*as_of)) {
        Result<Time> t = ParseTime(*as_of);
        if (!t.ok()) {
          return s.FailUsage("--as-of " + *as_of +
                             " is neither a sequence number nor an RFC 3339 time");
        }
      }
      std::optional<json> reply = s.Request("GET", "/v1/replay", nullptr, {{"as_of", *as_of}});
      if (!reply) return s.exit_code();
      if (s.json_output()) {
        Session::PrintJson(*reply);
      } else {
        PrintReplay(*reply);
      }
      return 0;
    };
  });
}

}  // namespace

bool IsSequence(const std::string& text) {
  return !text.empty() && text.size() <= 19 &&
         text.find_first_not_of("0123456789") == std::string::npos;
}

void AddAuditCommands(CLI::App& app, Session& s, Action& action) {
  AddEvents(app, s, action);
  AddExport(app, s, action);
  AddVerify(app, s, action);
  AddReplay(app, s, action);
}

}  // namespace rotor::ctl
