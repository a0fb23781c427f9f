// JsonBody: strict reading of a command's JSON body. The body must be a JSON
// object; each field is read with its expected type; Finish() then reports
// the first problem: an unknown field (named, with the fields the command
// accepts), else the first field of the wrong type or out of range, else a
// missing required field. Bad input is expected input: nothing throws out
// of this class (nlohmann's exceptions are caught here).
//
// Value type; thread-compatible.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace rotor::app {

// Parses `text` as JSON. Errors: kInvalidArgument "malformed JSON: ..." with
// the position nlohmann reports.
Result<nlohmann::json> ParseJson(std::string_view text);

class JsonBody {
 public:
  // Parses `body` (an empty body is the empty object). Errors:
  // kInvalidArgument for malformed JSON or a body that is not an object.
  static Result<JsonBody> Parse(std::string_view body);
  // Wraps an object already parsed (an element of a batch); `where` prefixes
  // errors ("reports[3]").
  JsonBody(nlohmann::json object, std::string where);

  // Each reader marks the field as known. Absent (or null) fields give
  // nullopt; a present field of the wrong type records an error.
  std::optional<std::string> String(std::string_view name);
  std::optional<bool> Bool(std::string_view name);
  // An integer within [min, max].
  std::optional<int64_t> Int(std::string_view name, int64_t min, int64_t max);
  std::optional<std::vector<std::string>> StringArray(std::string_view name);
  // An RFC 3339 time string.
  std::optional<Time> TimeField(std::string_view name);
  // The raw value (any type); the caller checks it.
  const nlohmann::json* Raw(std::string_view name);

  // Like String, and records "missing field" when absent or empty.
  std::string RequiredString(std::string_view name);

  // Records a problem found by the caller (the first one wins).
  void Fail(std::string message);
  // Refuses a field that the rest of the body makes meaningless.
  void Forbid(std::string_view name, std::string_view why);

  // The first problem, checking unknown fields first. Errors: kInvalidArgument.
  Status Finish() const;

  bool Has(std::string_view name) const;

 private:
  const nlohmann::json* Find(std::string_view name);
  std::string Name(std::string_view name) const;
  void TypeError(std::string_view name, std::string_view expected);

  nlohmann::json json_;
  std::string where_;
  std::set<std::string, std::less<>> known_;
  std::string error_;
};

}  // namespace rotor::app
