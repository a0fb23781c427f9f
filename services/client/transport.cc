// Request helpers shared by every transport. See transport.h.
#include "services/client/transport.h"

#include <nlohmann/json.hpp>

namespace rotor::client {
namespace {

constexpr StatusCode kAllCodes[] = {
    StatusCode::kInvalidArgument,   StatusCode::kNotFound,           StatusCode::kAlreadyExists,
    StatusCode::kConflict,          StatusCode::kFailedPrecondition, StatusCode::kCorruption,
    StatusCode::kIoError,           StatusCode::kUnauthenticated,    StatusCode::kPermissionDenied,
    StatusCode::kResourceExhausted, StatusCode::kCancelled,          StatusCode::kDeadlineExceeded,
    StatusCode::kInternal,
};

StatusCode CodeForHttpStatus(int status) {
  switch (status) {
    case 400:
      return StatusCode::kInvalidArgument;
    case 401:
      return StatusCode::kUnauthenticated;
    case 403:
      return StatusCode::kPermissionDenied;
    case 404:
      return StatusCode::kNotFound;
    case 409:
      return StatusCode::kConflict;
    case 412:
      return StatusCode::kFailedPrecondition;
    case 413:
    case 429:
      return StatusCode::kResourceExhausted;
    case 503:
      return StatusCode::kIoError;
    default:
      return status >= 400 && status < 500 ? StatusCode::kInvalidArgument : StatusCode::kInternal;
  }
}

// The first line of `text`, at most 300 characters: error bodies that are
// not JSON (a proxy's HTML page) must not flood a one-line error.
std::string FirstLine(std::string_view text) {
  size_t end = text.find_first_of("\r\n");
  std::string line(text.substr(0, end));
  if (line.size() > 300) line = line.substr(0, 300) + "...";
  return line;
}

}  // namespace

Result<app::ApiResponse> Call(Transport& transport, std::string method, std::string path,
                              std::string body, std::map<std::string, std::string> query) {
  app::ApiRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  request.body = std::move(body);
  request.query = std::move(query);
  return transport.Send(request);
}

StatusCode StatusCodeFromName(std::string_view name) {
  for (StatusCode code : kAllCodes) {
    if (StatusCodeName(code) == name) return code;
  }
  return StatusCode::kInternal;
}

Status ResponseStatus(const app::ApiResponse& response) {
  if (IsSuccess(response)) return Status::Ok();
  StatusCode code = CodeForHttpStatus(response.status);
  std::string message;
  nlohmann::json doc = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_object() && doc.contains("error") && doc["error"].is_object()) {
    const nlohmann::json& error = doc["error"];
    if (error.contains("code") && error["code"].is_string()) {
      StatusCode named = StatusCodeFromName(error["code"].get<std::string>());
      if (named != StatusCode::kInternal || response.status >= 500) code = named;
    }
    if (error.contains("message") && error["message"].is_string()) {
      message = error["message"].get<std::string>();
    }
  }
  if (message.empty()) {
    message = "HTTP " + std::to_string(response.status);
    std::string line = FirstLine(response.body);
    if (!line.empty()) message += ": " + line;
  }
  return {code, std::move(message)};
}

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string PathWith(std::string_view prefix, std::string_view segment, std::string_view suffix) {
  std::string path(prefix);
  path += UrlEncode(segment);
  path += suffix;
  return path;
}

}  // namespace rotor::client
