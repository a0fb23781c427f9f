#include "tests/services/kafka/report_gen.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tests/services/kafka/kafka_test_util.h"

namespace rotor::kafka::testing {
namespace {

const std::string kDelimiter(8, '\xff');

void Put(std::string& bytes, size_t at, uint64_t value, int width) {
  char digits[32];
  std::snprintf(digits, sizeof(digits), "%0*llu", width, static_cast<unsigned long long>(value));
  ASSERT_EQ(static_cast<int>(std::string(digits).size()), width) << value << " is too wide";
  bytes.replace(at, width, digits);
}

}  // namespace

std::string AgentId(uint64_t agent) {
  char id[32];
  std::snprintf(id, sizeof(id), "agent-%08llu", static_cast<unsigned long long>(agent));
  return id;
}

std::string ReportTemplate::Fill(uint64_t report, uint64_t agent) const {
  std::string out = bytes;
  Put(out, report_at, report, 10);
  Put(out, agent_at, agent, 8);
  return out;
}

ReportTemplate MakeReportTemplate(int64_t seconds, const std::vector<std::string>& fingerprints) {
  std::string text = "report_id: \"r-RRRRRRRRRR\"\nagent_id: \"agent-AAAAAAAA\"\n";
  text += "reported_at { seconds: " + std::to_string(seconds) + " }\n";
  for (const std::string& fp : fingerprints) text += "certificate_fingerprints: \"" + fp + "\"\n";
  text += "site: \"site-1\"\ncloud_enabled: true\n";
  ReportTemplate t;
  t.bytes = ProtocEncodeReport(text);
  t.report_at = t.bytes.find("RRRRRRRRRR");
  t.agent_at = t.bytes.find("AAAAAAAA");
  EXPECT_NE(t.report_at, std::string::npos);
  EXPECT_NE(t.agent_at, std::string::npos);
  EXPECT_EQ(t.bytes.find(kDelimiter), std::string::npos);
  return t;
}

void KcatProduce(const std::string& bootstrap, const std::string& topic,
                 const std::vector<std::pair<std::string, std::string>>& messages,
                 const std::string& extra_args) {
  std::string file = std::filesystem::temp_directory_path() /
                     ("rotor-kcat-" + std::to_string(::getpid()) + ".bin");
  {
    std::ofstream out(file, std::ios::binary);
    for (const auto& [key, value] : messages) {
      ASSERT_EQ(key.find('\t'), std::string::npos);
      ASSERT_EQ(value.find(kDelimiter), std::string::npos);
      out << key << '\t' << value << kDelimiter;
    }
  }
  int rc = Shell("kcat -P -b " + Quote(bootstrap) + " -t " + Quote(topic) +
                 " -K '\\t' -D '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff' " + extra_args + " -l " +
                 Quote(file));
  std::filesystem::remove(file);
  ASSERT_EQ(rc, 0) << "kcat -P to " << topic;
}

}  // namespace rotor::kafka::testing
