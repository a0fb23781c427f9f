// HTTP(S) transport over cpp-httplib. See http_transport.h.
#include "services/client/http_transport.h"

#include <httplib.h>

#include <filesystem>
#include <regex>

#include "services/client/sse.h"

namespace rotor::client {
namespace {

constexpr char kJson[] = "application/json";

std::string ErrorText(httplib::Error error, const std::string& url) {
  switch (error) {
    case httplib::Error::Connection:
      return "cannot connect to " + url + " (is rotord running?)";
    case httplib::Error::ConnectionTimeout:
      return "timed out connecting to " + url;
    case httplib::Error::Read:
      return "the connection to " + url + " broke while reading the response";
    case httplib::Error::Write:
      return "the connection to " + url + " broke while sending the request";
    case httplib::Error::SSLConnection:
      return "TLS handshake with " + url + " failed";
    case httplib::Error::SSLLoadingCerts:
      return "cannot load the CA certificates for " + url;
    case httplib::Error::SSLServerVerification:
      return "the server certificate of " + url + " did not verify against the CA";
    default:
      return "request to " + url + " failed: " + httplib::to_string(error);
  }
}

// "/v1/events?from=1&limit=10".
std::string Target(const app::ApiRequest& request) {
  std::string target = request.path;
  char sep = '?';
  for (const auto& [key, value] : request.query) {
    target += sep;
    target += UrlEncode(key);
    target += '=';
    target += UrlEncode(value);
    sep = '&';
  }
  return target;
}

Status CheckFile(const std::string& path, std::string_view what) {
  if (path.empty()) return Status::Ok();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status::InvalidArgument(std::string(what) + " " + path + " does not exist");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<HttpTransport>> HttpTransport::Create(HttpOptions options) {
  static const std::regex kUrl(
      R"(^(https?)://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?/?$)");
  std::smatch m;
  if (!std::regex_match(options.url, m, kUrl)) {
    return Status::InvalidArgument("server URL '" + options.url +
                                   "' is not http://HOST[:PORT] or https://HOST[:PORT]");
  }
  if (!options.url.empty() && options.url.back() == '/') options.url.pop_back();
  if (m[1] == "http" && !options.ca_file.empty()) {
    return Status::InvalidArgument("--ca-file needs an https:// server URL, got " + options.url);
  }
  ROTOR_RETURN_IF_ERROR(CheckFile(options.ca_file, "CA file"));
  ROTOR_RETURN_IF_ERROR(CheckFile(options.client_cert_file, "client certificate file"));
  ROTOR_RETURN_IF_ERROR(CheckFile(options.client_key_file, "client key file"));
  if (options.client_cert_file.empty() != options.client_key_file.empty()) {
    return Status::InvalidArgument("a client certificate needs both a certificate and a key file");
  }
  return std::unique_ptr<HttpTransport>(new HttpTransport(std::move(options)));
}

HttpTransport::HttpTransport(HttpOptions options) : options_(std::move(options)) {
  client_ = NewClient(options_.read_timeout);
}

HttpTransport::~HttpTransport() = default;

std::unique_ptr<httplib::Client> HttpTransport::NewClient(std::chrono::seconds read_timeout) const {
  std::unique_ptr<httplib::Client> client =
      options_.client_cert_file.empty()
          ? std::make_unique<httplib::Client>(options_.url)
          : std::make_unique<httplib::Client>(options_.url, options_.client_cert_file,
                                              options_.client_key_file);
  client->set_url_encode(false);  // Target() encodes
  client->set_keep_alive(true);
  client->set_connection_timeout(options_.connect_timeout);
  client->set_read_timeout(read_timeout);
  client->set_write_timeout(options_.read_timeout);
  if (!options_.token.empty()) client->set_bearer_token_auth(options_.token);
  if (options_.url.rfind("https://", 0) == 0) {
    if (!options_.ca_file.empty()) client->set_ca_cert_path(options_.ca_file);
    client->enable_server_certificate_verification(true);
  }
  return client;
}

Result<app::ApiResponse> HttpTransport::Send(const app::ApiRequest& request) {
  const std::string target = Target(request);
  const httplib::Headers headers = {{"Accept", kJson}};
  httplib::Result result(nullptr, httplib::Error::Unknown);
  if (request.method == "GET") {
    result = client_->Get(target, headers);
  } else if (request.method == "POST") {
    result = client_->Post(target, headers, request.body, kJson);
  } else if (request.method == "PUT") {
    result = client_->Put(target, headers, request.body, kJson);
  } else if (request.method == "DELETE") {
    result = request.body.empty() ? client_->Delete(target, headers)
                                  : client_->Delete(target, headers, request.body, kJson);
  } else {
    return Status::InvalidArgument("unsupported HTTP method " + request.method);
  }
  if (!result) return Status::IoError(ErrorText(result.error(), options_.url));
  app::ApiResponse response;
  response.status = result->status;
  response.content_type = result->get_header_value("Content-Type");
  response.body = std::move(result->body);
  return response;
}

Status HttpTransport::Watch(
    const std::function<bool(const std::string& progress_json)>& on_progress) {
  // A stream may stay quiet for as long as no rollout changes.
  std::unique_ptr<httplib::Client> client = NewClient(std::chrono::hours(24 * 365));
  int status = 0;
  bool stopped = false;
  std::string error_body;
  SseParser parser([&](const std::string& event, const std::string& data) {
    if (event != "progress") return true;
    if (!on_progress(data)) stopped = true;
    return !stopped;
  });
  httplib::Result result = client->Get(
      "/v1/stream", {{"Accept", "text/event-stream"}},
      [&](const httplib::Response& response) {
        status = response.status;
        return true;
      },
      [&](const char* data, size_t length) {
        if (status != 200) {
          if (error_body.size() < 65536) error_body.append(data, length);
          return true;
        }
        return parser.Feed(std::string_view(data, length));
      });
  if (stopped) return Status::Ok();
  if (status != 0 && status != 200) {
    app::ApiResponse response;
    response.status = status;
    response.body = std::move(error_body);
    return ResponseStatus(response);
  }
  if (!result) return Status::IoError(ErrorText(result.error(), options_.url));
  return Status::Cancelled("the server closed the progress stream");
}

}  // namespace rotor::client
