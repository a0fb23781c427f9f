// Roles (docs/api.md, "Authentication and roles"): for every route, each
// role is either let through to the handler (and gets that handler's own
// answer) or refused with 403; a request without a principal gets 401;
// refusals append nothing.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/services/app/engine_test_util.h"

namespace rotor::app::testing {
namespace {

// Which roles a route lets through: one column per role, so a new role is one
// more column here and one more entry in Roles().
struct Allowed {
  bool admin = true;
  bool op = false;
  bool auditor = false;
  bool agent = false;
  bool ingest = false;
};

struct RouteCase {
  const char* method;
  const char* path;
  const char*
      body;    // JSON; $OLD, $NEW, $SPARE: the fixture's fingerprints; $PEM: a new certificate
  int status;  // what the route's handler answers a role it lets through
  const char* error;  // when status is not 2xx: words only that handler's error says
  bool appends;       // whether a let-through call appends events
  Allowed allowed;
};

constexpr Allowed kAdminOnlyRoute{};
constexpr Allowed kOperatorRoute{.op = true};
constexpr Allowed kReaderRoute{.op = true, .auditor = true};
constexpr Allowed kAuditorRoute{.auditor = true};
constexpr Allowed kReporters{.op = true, .agent = true, .ingest = true};
constexpr Allowed kOperatorOrAgent{.op = true, .agent = true};
constexpr Allowed kReadersAndAgents{.op = true, .auditor = true, .agent = true};

constexpr const char* kReport =
    R"({"reportId":"rep-2","agentId":"a1","reportedAt":"2026-02-28T00:00:00Z",)"
    R"("certificateFingerprints":["$OLD"]})";
constexpr const char* kReportBatch =
    R"({"reports":[{"reportId":"rep-3","agentId":"a1","reportedAt":"2026-02-28T00:00:00Z",)"
    R"("certificateFingerprints":["$OLD"]}]})";

// Every route but /healthz, each with a call its handler answers in its own way.
constexpr RouteCase kRoutes[] = {
    {"POST", "/v1/certificates", R"({"kind":"server-web","pem":$PEM})", 200, "", true,
     kOperatorRoute},
    {"POST", "/v1/replacements",
     R"({"rollout_id":"r2","old_fingerprint":"$SPARE","new_fingerprint":"$NEW"})", 200, "", true,
     kOperatorRoute},
    {"POST", "/v1/rollouts/r1/stage", "{}", 200, "", true, kOperatorRoute},
    // Refused by the rules: the attempt is recorded (CommandRefused).
    {"POST", "/v1/rollouts/r1/switch-bindings", "{}", 412, "not staged", true, kOperatorRoute},
    {"POST", "/v1/rollouts/r1/finalize", R"({"force":true,"reason":"test"})", 412,
     "bindings have not been switched", true, kOperatorRoute},
    {"POST", "/v1/rollouts/r1/cancel", R"({"reason":"test"})", 200, "", true, kOperatorRoute},
    {"POST", "/v1/renewals", R"({"rollout_id":"n1","target":"cem-agent-certificates"})", 200, "",
     true, kOperatorRoute},
    {"POST", "/v1/agents/a1/renewed-certificate", R"({"pem":$PEM})", 400, "rollout_id", false,
     kOperatorRoute},
    {"POST", "/v1/agents/a1/csr", R"({"csr_pem":"x"})", 412, "no CEM issuing CA", false,
     kOperatorOrAgent},
    {"POST", "/v1/agents/a1/revoke", R"({"reason_code":1})", 200, "", true, kOperatorRoute},
    {"DELETE", "/v1/agents/a1", "", 200, "", true, kOperatorRoute},
    {"PUT", "/v1/gateways/gw1", R"({"auto_refresh":true})", 200, "", true, kOperatorRoute},
    {"POST", "/v1/gateways/gw1/refresh", R"({"rollout_id":"r1"})", 412,
     "requires no refresh of gateway gw1", false, kOperatorRoute},
    {"POST", "/v1/reports", kReport, 200, "", true, kReporters},
    {"POST", "/v1/reports:batch", kReportBatch, 200, "", true, kReporters},
    {"POST", "/v1/sweeps/stale", "{}", 200, "", false, kOperatorRoute},
    {"GET", "/v1/rollouts", "", 200, "", false, kReaderRoute},
    {"GET", "/v1/rollouts/r1", "", 200, "", false, kReaderRoute},
    {"GET", "/v1/rollouts/r1/timeline", "", 200, "", false, kReaderRoute},
    {"GET", "/v1/stale-agents", "", 200, "", false, kReaderRoute},
    {"GET", "/v1/agents", "", 200, "", false, kReaderRoute},
    {"GET", "/v1/agents/a1", "", 200, "", false, kReaderRoute},
    {"GET", "/v1/certificates", "", 200, "", false, kReaderRoute},
    {"GET", "/v1/events", "", 200, "", false, kAuditorRoute},
    {"GET", "/v1/verify", "", 200, "", false, kAuditorRoute},
    {"GET", "/v1/replay", "", 400, "as_of", false, kAuditorRoute},
    {"GET", "/v1/stream", "", 200, "", false, kReaderRoute},
    {"GET", "/v1/crl", "", 412, "no CEM issuing CA", false, kReadersAndAgents},
    {"GET", "/metrics", "", 200, "", false, kReaderRoute},
    {"POST", "/v1/clock", R"({"now":"2026-03-02T00:00:00Z"})", 200, "", false, kAdminOnlyRoute},
};

struct Who {
  Principal principal;
  bool Allowed::*allowed;
};

std::vector<Who> Roles() {
  return {{Admin(), &Allowed::admin},
          {Operator(), &Allowed::op},
          {Auditor(), &Allowed::auditor},
          {AgentRole(), &Allowed::agent},
          {Ingest(), &Allowed::ingest}};
}

void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

class EngineRolesTest : public EngineFixture {
 protected:
  EngineOptions Options() {
    EngineOptions o = EngineFixture::Options();
    o.virtual_clock = std::make_shared<VirtualClock>(At("2026-03-01T00:00:00Z"));  // POST /v1/clock
    return o;
  }
  void SetUp() override {
    SetNow("2026-03-01T00:00:00Z");
    Given();
  }
  // A fresh engine with something to act on: three certificates, a
  // cloud-enabled agent that reported the old one, pre-staged rollout r1
  // (old -> new), and gateway gw1 without auto-refresh.
  void Given() {
    engine_.reset();
    dir_ = std::make_unique<TempDir>();
    auto opened = Engine::Open(Options());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    engine_ = std::move(*opened);
    old_ = RegisterServerCert("ns.example.com");
    new_ = RegisterServerCert("ns-new.example.com");
    spare_ = RegisterServerCert("ns-spare.example.com");
    ASSERT_EQ(Report("rep-1", "a1", "2026-02-27T00:00:00Z", {old_}, /*cloud_enabled=*/true).status,
              200);
    Reply r = CallJson("POST", "/v1/replacements",
                       {{"rollout_id", "r1"},
                        {"old_fingerprint", old_},
                        {"new_fingerprint", new_},
                        {"mode", "pre-staged"}},
                       Operator());
    ASSERT_EQ(r.status, 200) << r.body;
    r = CallJson("PUT", "/v1/gateways/gw1", {{"auto_refresh", false}}, Operator());
    ASSERT_EQ(r.status, 200) << r.body;
  }
  std::string BodyOf(const RouteCase& route) {
    std::string body = route.body;
    ReplaceAll(body, "$OLD", old_);
    ReplaceAll(body, "$NEW", new_);
    ReplaceAll(body, "$SPARE", spare_);
    if (body.find("$PEM") != std::string::npos) {
      TestCertificate cert = MakeCertificate("ns-other.example.com", At("2026-01-01T00:00:00Z"),
                                             At("2028-01-01T00:00:00Z"));
      ReplaceAll(body, "$PEM", nlohmann::json(cert.pem).dump());
    }
    return body;
  }
  std::string old_, new_, spare_;
};

// Each (route, role) on a fresh engine: a role the route lets through gets
// exactly its handler's answer (never 401, 403, 404 or 405 from the router),
// a command's effect included; any other role gets 403 and nothing appended.
TEST_F(EngineRolesTest, EachRoleReachesTheHandlerOrIsRefusedPerTheTable) {
  for (const RouteCase& route : kRoutes) {
    for (const Who& who : Roles()) {
      Given();
      if (HasFatalFailure()) return;
      std::string what = std::string(route.method) + " " + route.path + " as " +
                         std::string(RoleName(who.principal.role));
      uint64_t head = engine_->Head();
      Reply r = Call(route.method, route.path, BodyOf(route), who.principal);
      if (!(route.allowed.*who.allowed)) {
        EXPECT_EQ(r.status, 403) << what << ": " << r.body;
        EXPECT_EQ(r.json["error"]["code"], "permission_denied") << what;
        EXPECT_EQ(engine_->Head(), head) << what << " appended events";
        continue;
      }
      EXPECT_EQ(r.status, route.status) << what << ": " << r.body;
      if (*route.error != '\0') {
        EXPECT_NE(r.body.find(route.error), std::string::npos) << what << ": " << r.body;
      }
      if (route.appends) {
        EXPECT_GT(engine_->Head(), head) << what << " appended nothing";
      } else {
        EXPECT_EQ(engine_->Head(), head) << what << " appended events";
      }
    }
  }
}

TEST_F(EngineRolesTest, WithoutAPrincipalEveryRouteButHealthzIs401) {
  for (const RouteCase& route : kRoutes) {
    uint64_t head = engine_->Head();
    Reply r = Call(route.method, route.path, "{}", Principal{});
    EXPECT_EQ(r.status, 401) << route.method << " " << route.path;
    EXPECT_EQ(r.json["error"]["code"], "unauthenticated");
    EXPECT_EQ(engine_->Head(), head);
  }
  EXPECT_EQ(Call("GET", "/healthz", "", Principal{}).status, 200);
}

TEST_F(EngineRolesTest, RefusedCommandsAppendNothingEvenWhenValid) {
  nlohmann::json valid = {
      {"rollout_id", "r9"}, {"old_fingerprint", spare_}, {"new_fingerprint", new_}};
  uint64_t head = engine_->Head();
  EXPECT_EQ(CallJson("POST", "/v1/replacements", valid, Auditor()).status, 403);
  EXPECT_EQ(CallJson("POST", "/v1/replacements", valid, AgentRole()).status, 403);
  EXPECT_EQ(CallJson("POST", "/v1/replacements", valid.dump(), Principal{}).status, 401);
  EXPECT_EQ(engine_->Head(), head);
  Reply ok = CallJson("POST", "/v1/replacements", valid, Operator());
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_GT(engine_->Head(), head);
}

TEST_F(EngineRolesTest, ReportsRecordTheAgentAndCommandsThePrincipal) {
  Reply events = Call("GET", "/v1/events", "", Auditor(), {{"from", "1"}});
  ASSERT_EQ(events.status, 200);
  // Given(): three registrations by oscar, a report by agent a1, then oscar's
  // replacement and gateway setting.
  const nlohmann::json& list = events.json["events"];
  ASSERT_GE(list.size(), 6u);
  for (size_t i = 0; i < list.size(); ++i) {
    EXPECT_EQ(list[i]["actor"], i == 3 ? "agent-a1" : "oscar") << i;
  }
}

}  // namespace
}  // namespace rotor::app::testing
