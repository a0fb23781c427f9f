// Checkpoint text (C2SP tlog-checkpoint): the exact body and its parsing.
#include "services/transparency/checkpoint.h"

#include <gtest/gtest.h>

namespace rotor::transparency {
namespace {

TEST(Checkpoint, FormatsThreeLinesAndParsesThemBack) {
  Checkpoint c{"rotor.example.com/prod", 2393, Sha256("root")};
  std::string body = FormatCheckpoint(c);
  EXPECT_EQ(body, "rotor.example.com/prod\n2393\n" +
                      std::string("SBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=") + "\n");
  Result<Checkpoint> parsed = ParseCheckpoint(body + "extension line\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->origin, c.origin);
  EXPECT_EQ(parsed->size, 2393u);
  EXPECT_EQ(parsed->root, c.root);
}

TEST(Checkpoint, RefusesMalformedBodiesNamingTheLine) {
  EXPECT_NE(ParseCheckpoint("origin\n12\n").status().message().find("expected origin"),
            std::string::npos);
  EXPECT_NE(ParseCheckpoint("origin\n012\nAAAA\n").status().message().find("tree size '012'"),
            std::string::npos);
  EXPECT_NE(ParseCheckpoint("origin\nx\nAAAA\n").status().message().find("tree size 'x'"),
            std::string::npos);
  EXPECT_NE(ParseCheckpoint("origin\n1\nAAAA\n").status().message().find("not 32 bytes"),
            std::string::npos);
  EXPECT_EQ(ParseCheckpoint("\n1\nAAAA\n").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rotor::transparency
