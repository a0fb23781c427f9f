// Certificate and rollout commands: cert register, replace, stage,
// switch-bindings, finalize, cancel. See commands.h.
#include <unistd.h>

#include <cstdio>

#include "base/base64.h"
#include "base/hash.h"
#include "services/pki/certificate_parser.h"
#include "services/rotorctl/commands.h"
#include "services/rotorctl/format.h"

namespace rotor::ctl {
namespace {

const std::vector<std::string> kKinds = {"server-web", "cem-root", "cem-agent",
                                         "gateway-reporting"};

struct Registered {
  std::string fingerprint;
  bool already = false;
};

// Registers the certificate in `file` as `kind`. A certificate registered
// already is not an error (already = true). nullopt after printing an error.
std::optional<Registered> RegisterFile(Session& s, const std::string& file, const std::string& kind,
                                       const std::string& agent_id, bool tolerate_existing) {
  Result<std::string> bytes = ReadInput(file);
  if (!bytes.ok()) return s.FailStatus(bytes.status()), std::nullopt;
  Result<CertificateInfo> info = pki::ParseCertificate(*bytes);
  if (!info.ok()) {
    s.FailUsage(file + " is not an X.509 certificate: " + info.status().message());
    return std::nullopt;
  }
  json body = {{"kind", kind}};
  if (bytes->find("-----BEGIN") != std::string::npos) {
    body["pem"] = *bytes;
  } else {
    body["der_base64"] = Base64Encode(*bytes);
  }
  if (!agent_id.empty()) body["agent_id"] = agent_id;
  client::Transport* t = s.transport();
  if (t == nullptr) return std::nullopt;
  Result<app::ApiResponse> r = client::Call(*t, "POST", "/v1/certificates", body.dump());
  if (!r.ok()) return s.FailStatus(Status::IoError(r.status().message())), std::nullopt;
  if (tolerate_existing && r->status == 409) return Registered{info->fingerprint, true};
  if (!client::IsSuccess(*r)) return s.FailResponse(*r), std::nullopt;
  return Registered{info->fingerprint, false};
}

// The kind of the registered certificate `fingerprint`; "" when unknown.
std::string KindOf(Session& s, const std::string& fingerprint) {
  std::optional<json> list = s.Request("GET", "/v1/certificates");
  if (!list) return {};
  for (const json& cert : Array(*list, {"certificates"})) {
    if (FirstStr(cert, {"fingerprint", "id"}) == fingerprint) return Str(cert, "kind");
  }
  return {};
}

void AddCertRegister(CLI::App& app, Session& s, Action& action) {
  CLI::App* cert = app.add_subcommand("cert", "certificates: register");
  cert->require_subcommand(1);
  CLI::App* reg = cert->add_subcommand("register", "register a certificate (PEM or DER file)");
  auto file = std::make_shared<std::string>();
  auto kind = std::make_shared<std::string>();
  auto agent = std::make_shared<std::string>();
  reg->add_option("file", *file, "certificate file, PEM or DER ('-' for stdin)")->required();
  reg->add_option("--kind", *kind, "server-web, cem-root, cem-agent or gateway-reporting")
      ->required()
      ->check(CLI::IsMember(kKinds));
  reg->add_option("--agent", *agent, "cem-agent certificates: the agent it was issued to");
  reg->callback([&s, &action, file, kind, agent] {
    action = [&s, file, kind, agent] {
      std::optional<Registered> r = RegisterFile(s, *file, *kind, *agent, false);
      if (!r) return s.exit_code();
      if (s.json_output()) {
        Session::PrintJson({{"fingerprint", r->fingerprint}, {"kind", *kind}});
      } else {
        std::printf("registered %s certificate %s\n", kind->c_str(), r->fingerprint.c_str());
      }
      return 0;
    };
  });
}

struct ReplaceOptions {
  std::string old_fp, new_arg, kind, mode = "direct", rollout;
  int permille = 0;
  int min_validity_days = -1;
  bool follow = false, no_follow = false;
};

int RunReplace(Session& s, const ReplaceOptions& o) {
  if (!IsSha256Hex(o.old_fp)) {
    return s.FailUsage("--old " + o.old_fp + " is not a SHA-256 fingerprint (64 lower-case hex)");
  }
  std::string new_fp = o.new_arg;
  if (!IsSha256Hex(new_fp)) {
    std::string kind = o.kind.empty() ? KindOf(s, o.old_fp) : o.kind;
    if (s.exit_code() != kExitOk) return s.exit_code();
    if (kind.empty()) {
      return s.FailUsage("old certificate " + o.old_fp +
                         " is not registered; pass --kind to register " + o.new_arg);
    }
    std::optional<Registered> r = RegisterFile(s, o.new_arg, kind, {}, true);
    if (!r) return s.exit_code();
    new_fp = r->fingerprint;
  }
  json body = {{"old_fingerprint", o.old_fp}, {"new_fingerprint", new_fp}, {"mode", o.mode}};
  if (!o.rollout.empty()) body["rollout_id"] = o.rollout;
  if (o.permille > 0) body["required_staged_permille"] = o.permille;
  if (o.min_validity_days >= 0) body["min_validity_days"] = o.min_validity_days;
  std::optional<json> reply = s.Request("POST", "/v1/replacements", body);
  if (!reply) return s.exit_code();
  std::string id = FirstStr(*reply, {"rollout_id", "id"});
  PrintCommandReply(s, reply, "initiated replacement " + id + " of " + o.old_fp + " by " + new_fp);
  bool follow = o.follow || (!o.no_follow && !s.json_output() && isatty(STDOUT_FILENO));
  if (follow && o.mode == "direct" && !id.empty()) return FollowProgress(s, id, false);
  return kExitOk;
}

void AddReplace(CLI::App& app, Session& s, Action& action) {
  CLI::App* cmd = app.add_subcommand("replace", "initiate a certificate replacement");
  auto o = std::make_shared<ReplaceOptions>();
  cmd->add_option("--old", o->old_fp, "fingerprint of the certificate in use")->required();
  cmd->add_option("--new", o->new_arg, "fingerprint or file (PEM/DER) of the new certificate")
      ->required();
  cmd->add_option("--kind", o->kind, "kind of the new certificate when --new is a file")
      ->check(CLI::IsMember(kKinds));
  cmd->add_option("--mode", o->mode, "direct or pre-staged")
      ->check(CLI::IsMember({"direct", "pre-staged"}));
  cmd->add_option("--rollout", o->rollout, "rollout id (default: chosen by the server)");
  cmd->add_option("--required-staged-permille", o->permille,
                  "pre-staged: share of agents (1..1000) that must hold it before the switch")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--min-validity-days", o->min_validity_days,
                  "the new certificate must stay valid this long")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--follow", o->follow, "follow the progress live (default on a terminal)");
  cmd->add_flag("--no-follow", o->no_follow, "return at once");
  cmd->callback([&s, &action, o] { action = [&s, o] { return RunReplace(s, *o); }; });
}

// A POST /v1/rollouts/{id}/<verb> command with a JSON body built by `body`.
void AddRolloutVerb(CLI::App& app, Session& s, Action& action, const std::string& name,
                    const std::string& help, const std::string& verb,
                    const std::function<void(CLI::App*, std::shared_ptr<json>)>& options,
                    const std::string& done) {
  CLI::App* cmd = app.add_subcommand(name, help);
  auto id = std::make_shared<std::string>();
  auto body = std::make_shared<json>(json::object());
  cmd->add_option("rollout", *id, "rollout id")->required();
  if (options) options(cmd, body);
  cmd->callback([&s, &action, id, body, verb, done] {
    action = [&s, id, body, verb, done] {
      std::optional<json> reply =
          s.Request("POST", client::PathWith("/v1/rollouts/", *id, "/" + verb), *body);
      return PrintCommandReply(s, reply, done + " " + *id);
    };
  });
}

// Copies the option's value into body[field] when the option is given.
template <typename T>
void Bind(CLI::App* cmd, const std::shared_ptr<json>& body, const std::string& flag,
          const std::string& field, const std::string& help) {
  cmd->add_option_function<T>(
      flag, [body, field](const T& value) { (*body)[field] = value; }, help);
}

void AddRolloutVerbs(CLI::App& app, Session& s, Action& action) {
  AddRolloutVerb(
      app, s, action, "stage",
      "pre-staged: add the new certificate to the agents' communication profile", "stage",
      [](CLI::App* cmd, const std::shared_ptr<json>& body) {
        Bind<std::string>(cmd, body, "--profile", "communication_profile",
                          "the communication profile");
      },
      "staged");
  AddRolloutVerb(app, s, action, "switch-bindings",
                 "pre-staged: switch the server's bindings to the new certificate",
                 "switch-bindings", nullptr, "switched the bindings of");
  AddRolloutVerb(
      app, s, action, "finalize",
      "put the new certificate in use (refused while agents are outstanding)", "finalize",
      [](CLI::App* cmd, const std::shared_ptr<json>& body) {
        cmd->add_flag_callback(
            "--force", [body] { (*body)["force"] = true; },
            "finalize although agents are outstanding (needs --reason)");
        Bind<std::string>(cmd, body, "--reason", "reason", "why");
      },
      "finalized");
  AddRolloutVerb(
      app, s, action, "cancel", "cancel a replacement; the old certificate stays in use", "cancel",
      [](CLI::App* cmd, const std::shared_ptr<json>& body) {
        Bind<std::string>(cmd, body, "--reason", "reason", "why");
      },
      "cancelled");
}

}  // namespace

int PrintCommandReply(Session& s, const std::optional<json>& reply, const std::string& text) {
  if (!reply) return s.exit_code();
  if (s.json_output()) {
    Session::PrintJson(*reply);
    return kExitOk;
  }
  int64_t count = Num(*reply, "event_count");
  if (count == 0) count = static_cast<int64_t>(Array(*reply, {"events"}).size());
  if (count == 0) {
    std::printf("%s: nothing changed (it was done already)\n", text.c_str());
  } else {
    int64_t first = Num(*reply, "first_sequence"), last = Num(*reply, "last_sequence");
    std::string range = std::to_string(first);
    if (last > first) range += "-" + std::to_string(last);
    std::printf("%s: appended %lld event%s (sequence %s)\n", text.c_str(),
                static_cast<long long>(count), count == 1 ? "" : "s", range.c_str());
  }
  return kExitOk;
}

void AddRolloutCommands(CLI::App& app, Session& s, Action& action) {
  AddCertRegister(app, s, action);
  AddReplace(app, s, action);
  AddRolloutVerbs(app, s, action);
  AddRenewalCommands(app, s, action);
}

}  // namespace rotor::ctl
