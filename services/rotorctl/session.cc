// One rotorctl invocation's transport, requests and errors. See session.h.
#include "services/rotorctl/session.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "services/client/http_transport.h"
#include "services/client/local_transport.h"

namespace rotor::ctl {
namespace {

// The first token of a tokens file line or of the file (trailing newline and
// spaces dropped).
Result<std::string> ReadToken(const std::string& path) {
  Result<std::string> text = ReadInput(path);
  if (!text.ok()) return text.status();
  std::istringstream in(*text);
  std::string token;
  in >> token;
  if (token.empty()) return Status::InvalidArgument("token file " + path + " is empty");
  return token;
}

}  // namespace

Result<std::string> ReadInput(const std::string& path) {
  if (path == "-") {
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    return text;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IoError("cannot read " + path);
  return text;
}

std::string OneLine(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) out += (c == '\n' || c == '\r') ? ' ' : c;
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

client::Transport* Session::transport() {
  if (transport_ != nullptr) return transport_.get();
  if (open_failed_) return nullptr;
  open_failed_ = true;
  if (!options_.data_dir.empty()) {
    if (!options_.server.empty()) {
      FailUsage("--data and --server are exclusive: open a data directory or talk to a server");
      return nullptr;
    }
    Result<std::unique_ptr<client::LocalTransport>> local =
        client::LocalTransport::Open(client::LocalOptions{options_.data_dir, {}});
    if (!local.ok()) {
      FailStatus(local.status().code() == StatusCode::kInvalidArgument
                     ? local.status()
                     : Status::IoError(local.status().message()));
      return nullptr;
    }
    transport_ = std::move(local).value();
  } else {
    if (options_.server.empty()) {
      FailUsage(
          "no server: pass --server URL with --token (or set ROTOR_SERVER, ROTOR_TOKEN), "
          "or --data DIR to open a data directory");
      return nullptr;
    }
    client::HttpOptions http;
    http.url = options_.server;
    http.token = options_.token;
    if (!options_.token_file.empty()) {
      Result<std::string> token = ReadToken(options_.token_file);
      if (!token.ok()) {
        FailStatus(token.status());
        return nullptr;
      }
      http.token = *token;
    }
    http.ca_file = options_.ca_file;
    http.client_cert_file = options_.client_cert_file;
    http.client_key_file = options_.client_key_file;
    Result<std::unique_ptr<client::HttpTransport>> opened =
        client::HttpTransport::Create(std::move(http));
    if (!opened.ok()) {
      FailStatus(opened.status());
      return nullptr;
    }
    transport_ = std::move(opened).value();
  }
  open_failed_ = false;
  return transport_.get();
}

std::optional<app::ApiResponse> Session::RequestRaw(std::string method, std::string path,
                                                    std::string body,
                                                    std::map<std::string, std::string> query) {
  client::Transport* t = transport();
  if (t == nullptr) return std::nullopt;
  Result<app::ApiResponse> response =
      client::Call(*t, std::move(method), std::move(path), std::move(body), std::move(query));
  if (!response.ok()) {
    FailStatus(response.status().code() == StatusCode::kInvalidArgument
                   ? response.status()
                   : Status::IoError(response.status().message()));
    return std::nullopt;
  }
  if (!client::IsSuccess(*response)) {
    FailResponse(*response);
    return std::nullopt;
  }
  return std::move(response).value();
}

std::optional<json> Session::Request(std::string method, const std::string& path, const json& body,
                                     std::map<std::string, std::string> query) {
  std::string text = body.is_null() ? std::string() : body.dump();
  std::optional<app::ApiResponse> response =
      RequestRaw(std::move(method), path, std::move(text), std::move(query));
  if (!response) return std::nullopt;
  if (response->body.empty()) return json::object();
  json doc = json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    Fail(kExitError, "the server's answer to " + path + " is not JSON");
    return std::nullopt;
  }
  return doc;
}

int Session::Fail(int exit_code, std::string_view message) {
  std::fprintf(stderr, "rotorctl: %s\n", OneLine(message).c_str());
  std::fflush(stderr);
  if (exit_code_ == kExitOk) exit_code_ = exit_code;
  return exit_code;
}

int Session::FailStatus(const Status& status) {
  int code = status.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitError;
  return Fail(code, status.message());
}

int Session::FailResponse(const app::ApiResponse& response) {
  Status status = client::ResponseStatus(response);
  int code = response.status >= 400 && response.status < 500 ? kExitRefused : kExitError;
  return Fail(code, std::string(StatusCodeName(status.code())) + ": " + status.message());
}

void Session::PrintJson(const json& value) {
  std::string text = value.dump(2, ' ', false, json::error_handler_t::replace);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

}  // namespace rotor::ctl
