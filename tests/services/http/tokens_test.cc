// TokenStore (services/http/tokens.h): a tokens file holds only SHA-256
// digests; plaintext lines, bad names, roles and agent bindings are refused
// with the file and line; MakeLine writes what Parse reads; a cert-sha256
// line maps a person's client certificate to a role.
#include "services/http/tokens.h"

#include <gtest/gtest.h>

#include <set>

namespace rotor::http {
namespace {

// printf %s s3cret | sha256sum
constexpr char kS3cretDigest[] = "1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0";
// printf %s other | sha256sum
constexpr char kOtherDigest[] = "d9298a10d1b0735837dc4bd85dac641b0f3cef27a47e5d53a54f2f3f5b2fcffa";

std::string Line(const std::string& digest, const std::string& rest) {
  return "sha256:" + digest + " " + rest + "\n";
}

Status ParseError(const std::string& text) {
  Result<TokenStore> store = TokenStore::Parse(text, "tokens");
  EXPECT_FALSE(store.ok()) << text;
  return store.ok() ? Status::Ok() : store.status();
}

TEST(TokenStoreTest, FindsThePrincipalOfADigestLine) {
  Result<TokenStore> store = TokenStore::Parse(
      "# comment\n\n" + Line(kS3cretDigest, "laptop-7-key agent laptop-7  # trailing") +
          Line(kOtherDigest, "relay\tingest"),
      "tokens");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(store->size(), 2u);
  std::optional<app::Principal> agent = store->Find("s3cret");
  ASSERT_TRUE(agent.has_value());
  EXPECT_EQ(agent->name, "laptop-7-key");
  EXPECT_EQ(agent->role, app::Role::kAgent);
  EXPECT_EQ(agent->agent_id, "laptop-7");
  std::optional<app::Principal> relay = store->Find("other");
  ASSERT_TRUE(relay.has_value());
  EXPECT_EQ(relay->role, app::Role::kIngest);
  EXPECT_EQ(relay->agent_id, "");
  EXPECT_FALSE(store->Find("s3cre").has_value());
  EXPECT_FALSE(store->Find("").has_value());
  EXPECT_FALSE(store->Find(std::string("sha256:") + kS3cretDigest).has_value())
      << "the digest itself is not a credential";
}

TEST(TokenStoreTest, RefusesAPlaintextLineNamingTheLineAndHowToConvertIt) {
  Status s = ParseError(Line(kOtherDigest, "alice admin") + "s3cret bob operator\n");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("tokens:2"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("'bob'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("plaintext"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("sha256sum"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("rotorctl token create"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("s3cret"), std::string::npos)
      << "never echo a secret: " << s.message();
}

TEST(TokenStoreTest, AnAgentTokenNamesExactlyOneAgentAndNoOtherRoleDoes) {
  EXPECT_NE(ParseError(Line(kS3cretDigest, "k agent")).message().find("must name the one agent"),
            std::string::npos);
  EXPECT_NE(ParseError(Line(kS3cretDigest, "k operator a1")).message().find("only an agent token"),
            std::string::npos);
  EXPECT_NE(ParseError(Line(kS3cretDigest, "k agent a1 a2")).message().find("found 5 words"),
            std::string::npos);
}

TEST(TokenStoreTest, RefusesBadDigestsNamesRolesAndRepeats) {
  std::string upper = kS3cretDigest;
  upper[0] = 'E';
  EXPECT_NE(ParseError(Line(upper, "k admin")).message().find("64 lower-case hex"),
            std::string::npos);
  EXPECT_NE(ParseError(Line("abc", "k admin")).message().find("64 lower-case hex"),
            std::string::npos);
  EXPECT_NE(ParseError(Line(kS3cretDigest, "kafka:x ingest")).message().find("':'"),
            std::string::npos)
      << "names with ':' are rotord's own principals";
  Status role = ParseError(Line(kS3cretDigest, "k root"));
  EXPECT_NE(role.message().find("unknown role 'root'"), std::string::npos) << role.message();
  EXPECT_NE(role.message().find("ingest"), std::string::npos) << role.message();
  Status repeat = ParseError(Line(kS3cretDigest, "a admin") + Line(kS3cretDigest, "b auditor"));
  EXPECT_NE(repeat.message().find("tokens:2"), std::string::npos) << repeat.message();
  EXPECT_NE(repeat.message().find("repeats"), std::string::npos) << repeat.message();
}

TEST(TokenStoreTest, MakeLineWritesTheDigestThatParseReads) {
  Result<std::string> line =
      TokenStore::MakeLine("s3cret", "laptop-7-key", app::Role::kAgent, "laptop-7");
  ASSERT_TRUE(line.ok()) << line.status().ToString();
  EXPECT_EQ(*line, Line(kS3cretDigest, "laptop-7-key agent laptop-7"));
  Result<TokenStore> store = TokenStore::Parse(*line, "tokens");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE(store->Find("s3cret").has_value());
  EXPECT_EQ(store->Find("s3cret")->agent_id, "laptop-7");
  EXPECT_FALSE(TokenStore::MakeLine("s3cret", "x", app::Role::kAgent, "").ok());
  EXPECT_FALSE(TokenStore::MakeLine("s3cret", "x", app::Role::kAdmin, "a1").ok());
  EXPECT_FALSE(TokenStore::MakeLine("s3cret", "a b", app::Role::kAdmin, "").ok());
  EXPECT_FALSE(TokenStore::MakeLine("", "x", app::Role::kAdmin, "").ok());
}

TEST(TokenStoreTest, ACertificateLineMapsItsFingerprintToAPersonAndNothingElse) {
  Result<TokenStore> store =
      TokenStore::Parse(std::string("cert-sha256:") + kS3cretDigest + " audrey-cert auditor\n" +
                            Line(kOtherDigest, "alice admin"),
                        "tokens");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(store->size(), 2u);
  std::optional<app::Principal> person = store->FindCertificate(kS3cretDigest);
  ASSERT_TRUE(person.has_value());
  EXPECT_EQ(person->name, "audrey-cert");
  EXPECT_EQ(person->role, app::Role::kAuditor);
  EXPECT_EQ(person->agent_id, "");
  EXPECT_FALSE(store->Find("s3cret").has_value()) << "a certificate line is not a token";
  EXPECT_FALSE(store->FindCertificate(kOtherDigest).has_value()) << "a token is not a certificate";
  EXPECT_FALSE(store->FindCertificate("").has_value());
}

TEST(TokenStoreTest, RefusesCertificateLinesForAgentsBadFingerprintsAndRepeats) {
  std::string cert = std::string("cert-sha256:") + kS3cretDigest;
  Status agent = ParseError(cert + " laptop-7 agent\n");
  EXPECT_NE(agent.message().find("may not have role agent"), std::string::npos) << agent.message();
  EXPECT_NE(agent.message().find("tokens:1"), std::string::npos) << agent.message();
  EXPECT_NE(ParseError("cert-sha256:ABC k admin\n").message().find("64 lower-case hex"),
            std::string::npos);
  EXPECT_NE(ParseError(cert + " k admin extra\n").message().find("found 4 words"),
            std::string::npos);
  EXPECT_NE(ParseError(cert + " k:x admin\n").message().find("':'"), std::string::npos);
  Status repeat = ParseError(cert + " a admin\n" + cert + " b auditor\n");
  EXPECT_NE(repeat.message().find("tokens:2"), std::string::npos) << repeat.message();
  EXPECT_NE(repeat.message().find("repeats"), std::string::npos) << repeat.message();
}

TEST(TokenStoreTest, MakeCertificateLineWritesWhatParseReads) {
  Result<std::string> line =
      TokenStore::MakeCertificateLine(kS3cretDigest, "audrey-cert", app::Role::kOperator);
  ASSERT_TRUE(line.ok()) << line.status().ToString();
  EXPECT_EQ(*line, std::string("cert-sha256:") + kS3cretDigest + " audrey-cert operator\n");
  Result<TokenStore> store = TokenStore::Parse(*line, "tokens");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(store->FindCertificate(kS3cretDigest)->role, app::Role::kOperator);
  EXPECT_FALSE(TokenStore::MakeCertificateLine(kS3cretDigest, "x", app::Role::kAgent).ok());
  EXPECT_FALSE(TokenStore::MakeCertificateLine("ABC", "x", app::Role::kAdmin).ok());
  EXPECT_FALSE(TokenStore::MakeCertificateLine(kS3cretDigest, "a b", app::Role::kAdmin).ok());
}

TEST(TokenStoreTest, NewSecretsAreLongAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    Result<std::string> secret = TokenStore::NewSecret();
    ASSERT_TRUE(secret.ok()) << secret.status().ToString();
    EXPECT_EQ(secret->size(), 6u + 64u) << *secret;
    EXPECT_EQ(secret->rfind("rotor_", 0), 0u) << *secret;
    seen.insert(*secret);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(TokenStoreTest, LoadNamesAMissingFile) {
  Result<TokenStore> store = TokenStore::Load("/nonexistent/rotor/tokens");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kIoError);
  EXPECT_NE(store.status().message().find("/nonexistent/rotor/tokens"), std::string::npos);
}

}  // namespace
}  // namespace rotor::http
