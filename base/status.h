// Status and Result<T>: errors are values at every module boundary.
//
// A Status is a code plus a human-readable message that names what was wrong
// ("stream rollout-7: expected version 3, actual 4"). Result<T> holds either a
// value or a non-OK Status, shaped like std::expected. Both are cheap to move
// and carry no exceptions. Thread-compatible (no shared state).
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace rotor {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // Malformed input: bad bytes, bad field, bad range.
  kNotFound,            // The named thing does not exist.
  kAlreadyExists,       // A duplicate of something that must be unique.
  kConflict,            // Optimistic concurrency: the expected version did not match.
  kFailedPrecondition,  // An illegal transition for the current state.
  kCorruption,          // Stored bytes are damaged or the hash chain is broken.
  kIoError,             // The storage engine or the OS failed.
  kUnauthenticated,     // Missing or wrong credential.
  kPermissionDenied,    // Credential valid, role not allowed.
  kResourceExhausted,   // A bound was hit (buffer, body size).
  kCancelled,           // The operation was cancelled (shutdown).
  kDeadlineExceeded,    // A wait ran out of time.
  kInternal,            // A bug: an invariant did not hold.
};

// Returns a stable lower-case name for `code` ("conflict", "not_found", ...).
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status Unauthenticated(std::string m) {
    return {StatusCode::kUnauthenticated, std::move(m)};
  }
  static Status PermissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status ResourceExhausted(std::string m) {
    return {StatusCode::kResourceExhausted, std::move(m)};
  }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) {
    return {StatusCode::kDeadlineExceeded, std::move(m)};
  }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "conflict: stream rollout-7: expected version 3, actual 4", or "ok".
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context` and ": ".
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Holds a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : data_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(data_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return ok(); }

  const T& value() const& {
    assert(ok());
    return std::get<T>(data_);
  }
  T& value() & {
    assert(ok());
    return std::get<T>(data_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(data_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // The error; Status::Ok() when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(data_); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace rotor

// Returns early from the enclosing function when `expr` is a non-OK Status.
#define ROTOR_RETURN_IF_ERROR(expr)         \
  do {                                      \
    ::rotor::Status rotor_status_ = (expr); \
    if (!rotor_status_.ok()) {              \
      return rotor_status_;                 \
    }                                       \
  } while (false)
