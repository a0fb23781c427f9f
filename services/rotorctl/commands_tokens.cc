// `rotorctl token create`: makes a bearer token for rotord. The secret comes
// from OpenSSL's RAND_bytes, is printed once on stdout and never stored; the
// tokens file gets only its SHA-256 digest line (TokenStore::MakeLine),
// appended to a file created with mode 0600. With `--certificate FILE` it
// makes no secret: it maps that client certificate (PEM or DER) to the name
// and role with a `cert-sha256:` line. The command works on the file alone
// (no server, no data directory): rotord reads it at start and on SIGHUP
// (docs/operations.md, "Tokens").
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "services/http/tokens.h"
#include "services/pki/certificate_parser.h"
#include "services/rotorctl/commands.h"

namespace rotor::ctl {
namespace {

struct TokenCreateOptions {
  std::string name;
  std::string role;
  std::string agent_id;
  std::string certificate;  // a person's client certificate file: no secret
  std::string tokens_file;
};

// The file's text; empty when it does not exist. Errors: kIoError.
Result<std::string> ReadExisting(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 && errno == ENOENT) return std::string();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read tokens file " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Appends `text` to `path` (created 0600) and syncs it. Errors: kIoError.
Status AppendDurably(const std::string& path, const std::string& text) {
  int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = fsync(fd) == 0 && ok;
  ok = close(fd) == 0 && ok;
  if (!ok) return Status::IoError("cannot write " + path + ": " + std::strerror(errno));
  return Status::Ok();
}

// Prints `s` as rotorctl's one-line error and returns `code`.
int Failed(int code, const Status& s, const char* prefix = "") {
  std::fprintf(stderr, "rotorctl: %s%s\n", prefix, OneLine(s.ToString()).c_str());
  return code;
}

// Appends `line` to the tokens file when the file still loads with it (a file
// rotord would refuse, e.g. a bad line, is not written to). Returns the exit
// code; prints the error.
int AppendLine(const std::string& tokens_file, const std::string& line) {
  Result<std::string> existing = ReadExisting(tokens_file);
  if (!existing.ok()) return Failed(kExitError, existing.status());
  std::string addition = line;
  if (!existing->empty() && existing->back() != '\n') addition = "\n" + addition;
  Result<http::TokenStore> check = http::TokenStore::Parse(*existing + addition, tokens_file);
  if (!check.ok()) return Failed(kExitUsage, check.status(), "the tokens file was not changed: ");
  Status appended = AppendDurably(tokens_file, addition);
  if (!appended.ok()) return Failed(kExitError, appended);
  return kExitOk;
}

// `--certificate FILE`: maps the certificate's SHA-256 to NAME and ROLE.
int MapCertificate(const TokenCreateOptions& o, app::Role role) {
  if (!o.agent_id.empty()) {
    return Failed(kExitUsage, Status::InvalidArgument(
                                  "--agent goes with a token; an agent's certificate needs no line "
                                  "(its CN is its agent id)"));
  }
  Result<std::string> bytes = ReadInput(o.certificate);
  if (!bytes.ok()) return Failed(kExitError, bytes.status());
  Result<CertificateInfo> cert = pki::ParseCertificate(*bytes);
  if (!cert.ok()) return Failed(kExitUsage, cert.status(), (o.certificate + ": ").c_str());
  Result<std::string> line = http::TokenStore::MakeCertificateLine(cert->fingerprint, o.name, role);
  if (!line.ok()) return Failed(kExitUsage, line.status());
  if (int code = AppendLine(o.tokens_file, *line); code != kExitOk) return code;
  std::fprintf(stderr,
               "certificate %s (%s) mapped to '%s' (role %s) in %s. Send SIGHUP to rotord to load "
               "it.\n",
               cert->fingerprint.c_str(), cert->subject.c_str(), o.name.c_str(), o.role.c_str(),
               o.tokens_file.c_str());
  return kExitOk;
}

int CreateToken(const TokenCreateOptions& o) {
  Result<app::Role> role = app::ParseRole(o.role);
  if (!role.ok()) return Failed(kExitUsage, role.status());
  if (!o.certificate.empty()) return MapCertificate(o, *role);
  Result<std::string> secret = http::TokenStore::NewSecret();
  if (!secret.ok()) return Failed(kExitError, secret.status());
  Result<std::string> line = http::TokenStore::MakeLine(*secret, o.name, *role, o.agent_id);
  if (!line.ok()) return Failed(kExitUsage, line.status());
  if (int code = AppendLine(o.tokens_file, *line); code != kExitOk) return code;
  std::printf("%s\n", secret->c_str());
  std::fflush(stdout);
  std::fprintf(stderr,
               "token '%s' (role %s%s%s) added to %s as its SHA-256 digest; the secret above is "
               "shown only once. Send SIGHUP to rotord to load it.\n",
               o.name.c_str(), o.role.c_str(), o.agent_id.empty() ? "" : ", agent ",
               o.agent_id.c_str(), o.tokens_file.c_str());
  return kExitOk;
}

}  // namespace

void AddTokenCommands(CLI::App& app, Action& action) {
  CLI::App* token = app.add_subcommand("token", "manage rotord's tokens file (no server needed)");
  token->require_subcommand(1);
  auto options = std::make_shared<TokenCreateOptions>();
  CLI::App* create = token->add_subcommand(
      "create", "make a token: print its secret once, append its digest to the tokens file");
  create->add_option("--name", options->name, "the actor recorded for the token's requests")
      ->required();
  create->add_option("--role", options->role, "admin, operator, auditor, agent or ingest")
      ->required();
  create->add_option("--agent", options->agent_id,
                     "role agent: the one agent the token speaks for");
  create->add_option("--certificate", options->certificate,
                     "instead of a token: map this client certificate (PEM or DER) to the name "
                     "and role (used with rotord --client-ca)");
  create->add_option("--tokens-file", options->tokens_file, "rotord's --tokens file")->required();
  create->callback([options, &action] { action = [options] { return CreateToken(*options); }; });
}

}  // namespace rotor::ctl
