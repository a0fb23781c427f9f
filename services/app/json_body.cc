#include "services/app/json_body.h"

namespace rotor::app {
namespace {

// nlohmann messages start with "[json.exception.parse_error.101] ".
std::string StripExceptionId(std::string message) {
  if (!message.empty() && message.front() == '[') {
    size_t end = message.find("] ");
    if (end != std::string::npos) message.erase(0, end + 2);
  }
  return message;
}

std::string_view TypeName(const nlohmann::json& v) {
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  return "null";
}

}  // namespace

Result<nlohmann::json> ParseJson(std::string_view text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument("malformed JSON: " + StripExceptionId(e.what()));
  }
}

Result<JsonBody> JsonBody::Parse(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return JsonBody(nlohmann::json::object(), "");
  }
  Result<nlohmann::json> parsed = ParseJson(body);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->is_object()) {
    return Status::InvalidArgument("the request body must be a JSON object, got " +
                                   std::string(TypeName(*parsed)));
  }
  return JsonBody(std::move(*parsed), "");
}

JsonBody::JsonBody(nlohmann::json object, std::string where)
    : json_(std::move(object)), where_(std::move(where)) {}

std::string JsonBody::Name(std::string_view name) const {
  return where_.empty() ? "field '" + std::string(name) + "'"
                        : where_ + ": field '" + std::string(name) + "'";
}

void JsonBody::Fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
}

void JsonBody::TypeError(std::string_view name, std::string_view expected) {
  const nlohmann::json& v = json_.at(std::string(name));
  Fail(Name(name) + " must be " + std::string(expected) + ", got " + std::string(TypeName(v)));
}

bool JsonBody::Has(std::string_view name) const {
  auto it = json_.find(std::string(name));
  return it != json_.end() && !it->is_null();
}

const nlohmann::json* JsonBody::Find(std::string_view name) {
  known_.emplace(name);
  auto it = json_.find(std::string(name));
  if (it == json_.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<std::string> JsonBody::String(std::string_view name) {
  const nlohmann::json* v = Find(name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    TypeError(name, "a string");
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::string JsonBody::RequiredString(std::string_view name) {
  bool present = Has(name);
  std::optional<std::string> value = String(name);
  if (!present) {
    Fail("missing " + Name(name));
  } else if (value.has_value() && value->empty()) {
    Fail(Name(name) + " must not be empty");
  }
  return value.value_or("");
}

std::optional<bool> JsonBody::Bool(std::string_view name) {
  const nlohmann::json* v = Find(name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_boolean()) {
    TypeError(name, "true or false");
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<int64_t> JsonBody::Int(std::string_view name, int64_t min, int64_t max) {
  const nlohmann::json* v = Find(name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number_integer()) {
    TypeError(name, "an integer");
    return std::nullopt;
  }
  int64_t value = 0;
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    value = INT64_MAX;
  } else {
    value = v->get<int64_t>();
  }
  if (value < min || value > max) {
    Fail(Name(name) + " must be in " + std::to_string(min) + ".." + std::to_string(max) + ", got " +
         v->dump());
    return std::nullopt;
  }
  return value;
}

std::optional<std::vector<std::string>> JsonBody::StringArray(std::string_view name) {
  const nlohmann::json* v = Find(name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_array()) {
    TypeError(name, "an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  out.reserve(v->size());
  for (size_t i = 0; i < v->size(); ++i) {
    const nlohmann::json& item = (*v)[i];
    if (!item.is_string()) {
      Fail(Name(name) + "[" + std::to_string(i) + "] must be a string, got " +
           std::string(TypeName(item)));
      return std::nullopt;
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::optional<Time> JsonBody::TimeField(std::string_view name) {
  std::optional<std::string> text = String(name);
  if (!text.has_value()) return std::nullopt;
  Result<Time> parsed = ParseTime(*text);
  if (!parsed.ok()) {
    Fail(Name(name) + ": " + parsed.status().message());
    return std::nullopt;
  }
  return *parsed;
}

const nlohmann::json* JsonBody::Raw(std::string_view name) { return Find(name); }

void JsonBody::Forbid(std::string_view name, std::string_view why) {
  known_.emplace(name);
  if (Has(name)) Fail(Name(name) + " is not allowed " + std::string(why));
}

Status JsonBody::Finish() const {
  for (auto it = json_.begin(); it != json_.end(); ++it) {
    if (known_.count(it.key()) > 0) continue;
    std::string accepted;
    for (const std::string& k : known_) accepted += (accepted.empty() ? "" : ", ") + k;
    return Status::InvalidArgument(
        (where_.empty() ? "" : where_ + ": ") + "unknown field '" + it.key() + "'" +
        (accepted.empty() ? "; this call takes no fields" : "; accepted fields: " + accepted));
  }
  if (!error_.empty()) return Status::InvalidArgument(error_);
  return Status::Ok();
}

}  // namespace rotor::app
