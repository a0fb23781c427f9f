// Roles (docs/api.md, "Authentication and roles"): for every route, each
// role is either let through to the handler or refused with 403; a request
// without a principal gets 401; refusals append nothing.
#include <gtest/gtest.h>

#include "tests/services/engine_test_util.h"

namespace rotor::app::testing {
namespace {

struct RouteCase {
  const char* method;
  const char* path;
  bool op;       // operator allowed
  bool auditor;  // auditor allowed
  bool agent;    // agent allowed
};

// Admin may call everything.
constexpr RouteCase kRoutes[] = {
    {"POST", "/v1/certificates", true, false, false},
    {"POST", "/v1/replacements", true, false, false},
    {"POST", "/v1/rollouts/r1/stage", true, false, false},
    {"POST", "/v1/rollouts/r1/switch-bindings", true, false, false},
    {"POST", "/v1/rollouts/r1/finalize", true, false, false},
    {"POST", "/v1/rollouts/r1/cancel", true, false, false},
    {"POST", "/v1/renewals", true, false, false},
    {"POST", "/v1/agents/a1/renewed-certificate", true, false, false},
    {"POST", "/v1/agents/a1/csr", true, false, true},
    {"POST", "/v1/agents/a1/revoke", true, false, false},
    {"DELETE", "/v1/agents/a1", true, false, false},
    {"PUT", "/v1/gateways/gw1", true, false, false},
    {"POST", "/v1/gateways/gw1/refresh", true, false, false},
    {"POST", "/v1/reports", true, false, true},
    {"POST", "/v1/reports:batch", true, false, true},
    {"POST", "/v1/sweeps/stale", true, false, false},
    {"GET", "/v1/rollouts", true, true, false},
    {"GET", "/v1/rollouts/r1", true, true, false},
    {"GET", "/v1/rollouts/r1/timeline", true, true, false},
    {"GET", "/v1/stale-agents", true, true, false},
    {"GET", "/v1/agents", true, true, false},
    {"GET", "/v1/agents/a1", true, true, false},
    {"GET", "/v1/certificates", true, true, false},
    {"GET", "/v1/events", false, true, false},
    {"GET", "/v1/verify", false, true, false},
    {"GET", "/v1/replay", false, true, false},
    {"GET", "/v1/stream", true, true, false},
    {"GET", "/v1/crl", true, true, true},
    {"GET", "/metrics", true, true, false},
};

class EngineRolesTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    // Something to act on, so allowed calls reach their handlers' real paths.
    fingerprint_ = RegisterServerCert("ns.example.com");
    ASSERT_EQ(Report("rep-1", "a1", "2026-02-27T00:00:00Z", {fingerprint_}).status, 200);
  }
  std::string fingerprint_;
};

TEST_F(EngineRolesTest, EachRoleIsAllowedOrRefusedPerTheTable) {
  struct Who {
    Principal principal;
    bool RouteCase::*allowed;
  };
  const Who roles[] = {{Operator(), &RouteCase::op},
                       {Auditor(), &RouteCase::auditor},
                       {AgentRole(), &RouteCase::agent}};
  for (const RouteCase& route : kRoutes) {
    std::string body = std::string(route.method) == "GET" ? "" : "{}";
    for (const Who& who : roles) {
      uint64_t head = engine_->Head();
      Reply r = Call(route.method, route.path, body, who.principal);
      std::string what = std::string(route.method) + " " + route.path + " as " +
                         std::string(RoleName(who.principal.role));
      if (route.*who.allowed) {
        EXPECT_NE(r.status, 403) << what << ": " << r.body;
        EXPECT_NE(r.status, 401) << what << ": " << r.body;
      } else {
        EXPECT_EQ(r.status, 403) << what << ": " << r.body;
        EXPECT_EQ(r.json["error"]["code"], "permission_denied") << what;
        EXPECT_EQ(engine_->Head(), head) << what << " appended events";
      }
    }
    Reply admin = Call(route.method, route.path, body, Admin());
    EXPECT_NE(admin.status, 403) << route.method << " " << route.path << " as admin";
    EXPECT_NE(admin.status, 401) << route.method << " " << route.path << " as admin";
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
  std::string other = RegisterServerCert("ns-new.example.com");
  nlohmann::json valid = {
      {"rollout_id", "r9"}, {"old_fingerprint", fingerprint_}, {"new_fingerprint", other}};
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
  ASSERT_EQ(events.json["events"].size(), 2u);
  EXPECT_EQ(events.json["events"][0]["actor"], "oscar");
  EXPECT_EQ(events.json["events"][1]["actor"], "agent-a1");
}

}  // namespace
}  // namespace rotor::app::testing
