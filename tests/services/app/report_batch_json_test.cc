// SplitPlainReportBatch: the plain batch body is split into its report
// objects; anything else is left to the JSON document path.
#include "services/app/report_batch_json.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rotor::app {
namespace {

std::vector<std::string_view> Split(std::string_view body, bool expect) {
  std::vector<std::string_view> out;
  EXPECT_EQ(SplitPlainReportBatch(body, &out), expect) << body;
  return out;
}

TEST(ReportBatchJsonTest, SplitsThePlainShapeIntoReportObjects) {
  auto items = Split(R"( { "reports" : [ {"a":"x}{[","b":["1","2"]} ,{} ] } )", true);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0], R"({"a":"x}{[","b":["1","2"]})");
  EXPECT_EQ(items[1], "{}");
  EXPECT_TRUE(Split(R"({"reports":[]})", true).empty());
}

TEST(ReportBatchJsonTest, LeavesEverythingElseToTheDocumentPath) {
  for (std::string_view body : {
           R"({"reports":[{"a":"x\"y"}]})",     // an escape
           R"({"reports":[{"a":{"b":"c"}}]})",  // a nested object
           R"({"reports":[7]})",                // not an object
           R"({"reports":[{}],"source":"k"})",  // another field
           R"({"source":"k","reports":[{}]})",
           R"({"reports2":[{}]})",
           R"({"reports":{}})",
           R"({"reports":[{},]})",
           R"({"reports":[{}]} x)",
           R"({"reports":[{"a":"b"])",
           R"({"reports":[{"a":"b]"}])",
           "{\"reports\":[{\"a\":\"b\nc\"}]}",  // a control character in a string
           "",
       }) {
    Split(body, false);
  }
}

}  // namespace
}  // namespace rotor::app
