// Router on its own: literal segments, one-segment {params}, a last
// "{name...}" that takes the rest of the path, first match wins, and 405
// (path_known) versus 404.
#include "services/app/router.h"

#include <gtest/gtest.h>

namespace rotor::app {
namespace {

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* pattern : {"/v1/rollouts", "/v1/rollouts/active", "/v1/rollouts/{id}",
                                "/v1/rollouts/{id}/finalize", "/ocsp/{request...}"}) {
      router_.Add("GET", pattern, kReaders, RouteKind::kQuery, Named(pattern));
    }
    router_.Add("POST", "/v1/rollouts/{id}/finalize", kOperator, RouteKind::kCommand,
                Named("POST finalize"));
  }

  // A handler that answers with `name`, so a test can tell which route matched.
  static Handler Named(std::string name) {
    return [name](const RouteContext&) {
      ApiResponse r;
      r.body = name;
      return r;
    };
  }

  // The matched route's name ("" when none) and its params.
  std::string MatchName(std::string_view method, std::string_view path) {
    params_.clear();
    const Route* route = router_.Match(method, path, &params_, &path_known_);
    if (route == nullptr) return "";
    ApiRequest request;
    return route->handler(RouteContext{request, params_}).body;
  }

  Router router_;
  std::vector<std::string> params_;
  bool path_known_ = false;
};

TEST_F(RouterTest, LiteralsAndParamsMatchSegmentBySegment) {
  EXPECT_EQ(MatchName("GET", "/v1/rollouts"), "/v1/rollouts");
  EXPECT_TRUE(params_.empty());
  EXPECT_EQ(MatchName("GET", "/v1/rollouts/r-1"), "/v1/rollouts/{id}");
  EXPECT_EQ(params_, std::vector<std::string>{"r-1"});
  EXPECT_EQ(MatchName("GET", "/v1/rollouts/r-1/finalize"), "/v1/rollouts/{id}/finalize");
  EXPECT_EQ(params_, std::vector<std::string>{"r-1"});
  EXPECT_EQ(MatchName("POST", "/v1/rollouts/r%2F2/finalize"), "POST finalize");
  EXPECT_EQ(params_, std::vector<std::string>{"r%2F2"}) << "no decoding: the transport decodes";
}

TEST_F(RouterTest, TheFirstRouteAddedWins) {
  EXPECT_EQ(MatchName("GET", "/v1/rollouts/active"), "/v1/rollouts/active");
  EXPECT_TRUE(params_.empty());
}

TEST_F(RouterTest, AnEmptySegmentOrAnExtraSlashMatchesNothing) {
  EXPECT_EQ(MatchName("GET", "/v1/rollouts//finalize"), "");
  EXPECT_EQ(MatchName("GET", "/v1/rollouts/"), "");
  EXPECT_EQ(MatchName("GET", "/v1/rollouts/r-1/finalize/"), "");
  EXPECT_EQ(MatchName("GET", "v1/rollouts"), "/v1/rollouts") << "the leading slash is optional";
  EXPECT_EQ(MatchName("GET", ""), "");
}

TEST_F(RouterTest, ARestParamTakesEverySegmentLeftWithItsSlashes) {
  EXPECT_EQ(MatchName("GET", "/ocsp/MEow/AB+c=="), "/ocsp/{request...}");
  EXPECT_EQ(params_, std::vector<std::string>{"MEow/AB+c=="});
  EXPECT_EQ(MatchName("GET", "/ocsp/one"), "/ocsp/{request...}");
  EXPECT_EQ(params_, std::vector<std::string>{"one"});
  EXPECT_EQ(MatchName("GET", "/ocsp/"), "") << "an empty rest";
  EXPECT_EQ(MatchName("GET", "/ocsp"), "");
}

TEST_F(RouterTest, AKnownPathWithAnotherMethodIsTold) {
  EXPECT_EQ(MatchName("DELETE", "/v1/rollouts/r-1"), "");
  EXPECT_TRUE(path_known_) << "405, not 404";
  EXPECT_EQ(MatchName("GET", "/v1/nothing"), "");
  EXPECT_FALSE(path_known_);
  EXPECT_EQ(MatchName("POST", "/v1/rollouts/r-1/finalize"), "POST finalize");
}

TEST(RouterRolesTest, AdminMayCallEveryRouteOthersOnlyTheirs) {
  EXPECT_TRUE(Allows(kAdminOnly, Role::kAdmin));
  EXPECT_FALSE(Allows(kAdminOnly, Role::kOperator));
  EXPECT_TRUE(Allows(kReaders, Role::kAuditor));
  EXPECT_FALSE(Allows(kReaders, Role::kAgent));
  EXPECT_TRUE(Allows(kOperator | kAgent, Role::kAgent));
  EXPECT_FALSE(Allows(kOperator | kAgent, Role::kIngest));
}

}  // namespace
}  // namespace rotor::app
