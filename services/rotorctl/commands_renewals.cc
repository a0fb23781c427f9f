// Renewal and revocation commands: renew agents|gateway, record-renewed, csr,
// revoke. See commands.h.
#include <cstdio>
#include <fstream>

#include "services/rotorctl/commands.h"
#include "services/rotorctl/format.h"

namespace rotor::ctl {
namespace {

void AddRenew(CLI::App& app, Session& s, Action& action) {
  CLI::App* renew = app.add_subcommand("renew", "start a renewal rollout");
  renew->require_subcommand(1);
  auto rollout = std::make_shared<std::string>();

  CLI::App* agents =
      renew->add_subcommand("agents",
                            "re-create CEM agent certificates (of the named agents, or of every "
                            "cloud-enabled agent)");
  auto ids = std::make_shared<std::vector<std::string>>();
  agents->add_option("agent", *ids, "agent ids (default: every cloud-enabled agent)");
  agents->add_option("--rollout", *rollout, "rollout id (default: chosen by the server)");
  agents->callback([&s, &action, ids, rollout] {
    action = [&s, ids, rollout] {
      json body = {{"target", "cem-agent-certificates"}};
      if (!ids->empty()) body["agent_ids"] = *ids;
      if (!rollout->empty()) body["rollout_id"] = *rollout;
      std::optional<json> reply = s.Request("POST", "/v1/renewals", body);
      std::string id = reply ? FirstStr(*reply, {"rollout_id", "id"}) : "";
      return PrintCommandReply(s, reply, "started renewal " + id + " of CEM agent certificates");
    };
  });

  CLI::App* gateway =
      renew->add_subcommand("gateway", "re-create a gateway's reporting certificate");
  auto gateway_id = std::make_shared<std::string>();
  auto fingerprint = std::make_shared<std::string>();
  gateway->add_option("gateway", *gateway_id, "gateway id")->required();
  gateway->add_option("--fingerprint", *fingerprint, "the current reporting certificate");
  gateway->add_option("--rollout", *rollout, "rollout id (default: chosen by the server)");
  gateway->callback([&s, &action, gateway_id, fingerprint, rollout] {
    action = [&s, gateway_id, fingerprint, rollout] {
      json body = {{"target", "gateway-reporting-certificate"}, {"gateway_id", *gateway_id}};
      if (!fingerprint->empty()) body["fingerprint"] = *fingerprint;
      if (!rollout->empty()) body["rollout_id"] = *rollout;
      std::optional<json> reply = s.Request("POST", "/v1/renewals", body);
      std::string id = reply ? FirstStr(*reply, {"rollout_id", "id"}) : "";
      return PrintCommandReply(
          s, reply,
          "started renewal " + id + " of gateway " + *gateway_id + "'s reporting certificate");
    };
  });
}

void AddRecordRenewed(CLI::App& app, Session& s, Action& action) {
  CLI::App* cmd = app.add_subcommand("record-renewed",
                                     "record a renewed CEM agent certificate issued elsewhere");
  auto agent = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>();
  auto rollout = std::make_shared<std::string>();
  cmd->add_option("agent", *agent, "agent id")->required();
  cmd->add_option("file", *file, "the renewed certificate, PEM ('-' for stdin)")->required();
  cmd->add_option("--rollout", *rollout, "the renewal rollout")->required();
  cmd->callback([&s, &action, agent, file, rollout] {
    action = [&s, agent, file, rollout] {
      Result<std::string> pem = ReadInput(*file);
      if (!pem.ok()) return s.FailStatus(pem.status());
      std::optional<json> reply =
          s.Request("POST", client::PathWith("/v1/agents/", *agent, "/renewed-certificate"),
                    {{"rollout_id", *rollout}, {"pem", *pem}});
      return PrintCommandReply(s, reply, "recorded the renewed certificate of " + *agent);
    };
  });
}

void AddCsr(CLI::App& app, Session& s, Action& action) {
  CLI::App* cmd = app.add_subcommand(
      "csr", "have rotord's CEM issuing CA sign an agent's certificate signing request");
  auto agent = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>();
  auto rollout = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  cmd->add_option("agent", *agent, "agent id")->required();
  cmd->add_option("file", *file, "the CSR, PEM ('-' for stdin)")->required();
  cmd->add_option("--rollout", *rollout, "the renewal rollout");
  cmd->add_option("--out", *out, "write the issued certificate (PEM) here instead of stdout");
  cmd->callback([&s, &action, agent, file, rollout, out] {
    action = [&s, agent, file, rollout, out] {
      Result<std::string> csr = ReadInput(*file);
      if (!csr.ok()) return s.FailStatus(csr.status());
      json body = {{"csr_pem", *csr}};
      if (!rollout->empty()) body["rollout_id"] = *rollout;
      std::optional<json> reply =
          s.Request("POST", client::PathWith("/v1/agents/", *agent, "/csr"), body);
      if (!reply) return s.exit_code();
      if (s.json_output()) {
        Session::PrintJson(*reply);
        return 0;
      }
      std::string pem = Str(*reply, "certificate_pem");
      if (out->empty()) {
        std::fputs(pem.c_str(), stdout);
      } else {
        std::ofstream f(*out, std::ios::binary | std::ios::trunc);
        f << pem;
        if (!f.flush()) return s.FailStatus(Status::IoError("cannot write " + *out));
        std::printf("issued certificate %s (serial %s) to %s, written to %s\n",
                    Str(*reply, "fingerprint").c_str(), Str(*reply, "serial_hex").c_str(),
                    agent->c_str(), out->c_str());
      }
      return 0;
    };
  });
}

void AddRevoke(CLI::App& app, Session& s, Action& action) {
  CLI::App* cmd = app.add_subcommand("revoke", "revoke an agent's CEM certificate at once");
  auto agent = std::make_shared<std::string>();
  auto reason = std::make_shared<int>(0);
  cmd->add_option("agent", *agent, "agent id")->required();
  cmd->add_option("--reason-code", *reason,
                  "RFC 5280 CRLReason: 0 unspecified, 1 keyCompromise, ... 10 (not 7 or 8)")
      ->check(CLI::Range(0, 10));
  cmd->callback([&s, &action, agent, reason] {
    action = [&s, agent, reason] {
      std::optional<json> reply = s.Request(
          "POST", client::PathWith("/v1/agents/", *agent, "/revoke"), {{"reason_code", *reason}});
      return PrintCommandReply(s, reply, "revoked the CEM certificate of " + *agent);
    };
  });
}

}  // namespace

void AddRenewalCommands(CLI::App& app, Session& s, Action& action) {
  AddRenew(app, s, action);
  AddRecordRenewed(app, s, action);
  AddCsr(app, s, action);
  AddRevoke(app, s, action);
}

}  // namespace rotor::ctl
