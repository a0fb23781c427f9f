// JsonBody on its own: strict bodies, where an unknown field is reported
// first (with the accepted fields), then the first wrong type or range, then
// a missing field; null counts as absent; nothing throws.
#include "services/app/json_body.h"

#include <gtest/gtest.h>

namespace rotor::app {
namespace {

JsonBody Body(std::string_view text) {
  Result<JsonBody> body = JsonBody::Parse(text);
  EXPECT_TRUE(body.ok()) << body.status().ToString();
  return body.ok() ? std::move(*body) : JsonBody(nlohmann::json::object(), "");
}

std::string Error(const JsonBody& body) {
  Status s = body.Finish();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  return s.message();
}

TEST(JsonBodyTest, AnEmptyBodyIsTheEmptyObject) {
  for (const char* text : {"", "  \r\n\t"}) {
    JsonBody body = Body(text);
    EXPECT_FALSE(body.String("a").has_value());
    EXPECT_TRUE(body.Finish().ok());
  }
}

TEST(JsonBodyTest, ABodyThatIsNotAnObjectOrNotJsonIsRefused) {
  Result<JsonBody> array = JsonBody::Parse("[1]");
  ASSERT_FALSE(array.ok());
  EXPECT_EQ(array.status().message(), "the request body must be a JSON object, got an array");
  Result<JsonBody> broken = JsonBody::Parse("{\"a\": ");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().message().rfind("malformed JSON: parse error at line 1", 0), 0u)
      << broken.status().message();
  EXPECT_FALSE(ParseJson("{\"a\": \"\xff\"}").ok()) << "not UTF-8";
}

TEST(JsonBodyTest, ReadsEachTypeAndTreatsNullAsAbsent) {
  JsonBody body = Body(R"({"s": "x", "b": true, "i": 7, "a": ["p", "q"],
                           "t": "2026-03-01T00:00:00Z", "n": null})");
  EXPECT_EQ(body.String("s"), "x");
  EXPECT_EQ(body.Bool("b"), true);
  EXPECT_EQ(body.Int("i", 0, 10), 7);
  EXPECT_EQ(body.StringArray("a"), (std::vector<std::string>{"p", "q"}));
  EXPECT_EQ(body.TimeField("t"), ParseTime("2026-03-01T00:00:00Z").value());
  EXPECT_FALSE(body.String("n").has_value());
  EXPECT_FALSE(body.Has("n"));
  EXPECT_TRUE(body.Finish().ok());
}

TEST(JsonBodyTest, AnUnknownFieldIsNamedFirstWithTheAcceptedOnes) {
  JsonBody body = Body(R"({"rollout_id": 5, "colour": "red"})");
  (void)body.String("rollout_id");  // a type error too, reported after
  (void)body.Bool("force");
  EXPECT_EQ(Error(body), "unknown field 'colour'; accepted fields: force, rollout_id");
  JsonBody none = Body(R"({"x": 1})");
  EXPECT_EQ(Error(none), "unknown field 'x'; this call takes no fields");
}

TEST(JsonBodyTest, TheFirstWrongTypeOrRangeIsNamed) {
  JsonBody body = Body(R"({"a": 1, "b": "yes"})");
  EXPECT_FALSE(body.String("a").has_value());
  EXPECT_FALSE(body.Bool("b").has_value());
  EXPECT_EQ(Error(body), "field 'a' must be a string, got a number");

  JsonBody range = Body(R"({"reason_code": 11, "huge": 18446744073709551615})");
  EXPECT_FALSE(range.Int("reason_code", 0, 10).has_value());
  EXPECT_FALSE(range.Int("huge", 0, 10).has_value());
  EXPECT_EQ(Error(range), "field 'reason_code' must be in 0..10, got 11");
  JsonBody huge = Body(R"({"huge": 18446744073709551615})");
  EXPECT_FALSE(huge.Int("huge", 0, INT64_MAX - 1).has_value()) << "no wrap to a negative";
  EXPECT_EQ(Error(huge).rfind("field 'huge' must be in 0..", 0), 0u);
  JsonBody fraction = Body(R"({"f": 1.5})");
  EXPECT_FALSE(fraction.Int("f", 0, 10).has_value());
  EXPECT_EQ(Error(fraction), "field 'f' must be an integer, got a number");
}

TEST(JsonBodyTest, ArrayItemsAndTimesAreChecked) {
  JsonBody array = Body(R"({"ids": ["a", 2]})");
  EXPECT_FALSE(array.StringArray("ids").has_value());
  EXPECT_EQ(Error(array), "field 'ids'[1] must be a string, got a number");
  JsonBody time = Body(R"({"at": "yesterday"})");
  EXPECT_FALSE(time.TimeField("at").has_value());
  EXPECT_EQ(Error(time).rfind("field 'at': ", 0), 0u);
}

TEST(JsonBodyTest, RequiredFieldsAndForbiddenOnes) {
  JsonBody missing = Body("{}");
  EXPECT_EQ(missing.RequiredString("pem"), "");
  EXPECT_EQ(Error(missing), "missing field 'pem'");
  JsonBody empty = Body(R"({"pem": ""})");
  (void)empty.RequiredString("pem");
  EXPECT_EQ(Error(empty), "field 'pem' must not be empty");
  JsonBody forbidden = Body(R"({"gateway_id": "g"})");
  forbidden.Forbid("gateway_id", "for target cem-agent-certificates");
  EXPECT_EQ(Error(forbidden),
            "field 'gateway_id' is not allowed for target cem-agent-certificates");
}

TEST(JsonBodyTest, ErrorsOfABatchElementSayWhere) {
  JsonBody item(nlohmann::json{{"agentId", 3}, {"x", 1}}, "reports[3]");
  (void)item.String("agentId");
  EXPECT_EQ(Error(item), "reports[3]: unknown field 'x'; accepted fields: agentId");
  JsonBody typed(nlohmann::json{{"agentId", 3}}, "reports[3]");
  (void)typed.String("agentId");
  EXPECT_EQ(Error(typed), "reports[3]: field 'agentId' must be a string, got a number");
  typed.Fail("later");  // the first problem wins
  EXPECT_EQ(Error(typed), "reports[3]: field 'agentId' must be a string, got a number");
}

}  // namespace
}  // namespace rotor::app
