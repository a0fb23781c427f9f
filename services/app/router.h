// Router: the API's route table. Each route is a method, a path pattern
// ("/v1/rollouts/{id}/finalize": literal segments and one-segment {params};
// a last segment "{name...}" takes the rest of the path, slashes included),
// the roles that may call it, its kind (a command, a query that first waits
// for the projections to reach the log's head, or a public route that needs
// no credential) and its handler. Both transports share it through
// Engine::Handle, so the role rules of docs/api.md live in one place.
//
// Ownership: the router owns its routes; handlers capture what they need.
// Thread safety: built once (Add), then Match is safe to call concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "services/app/api.h"

namespace rotor::app {

// A set of roles as a bit mask. Admin may call every route whatever the mask.
using RoleMask = uint8_t;
constexpr RoleMask RoleBit(Role role) {
  return static_cast<RoleMask>(1u << static_cast<int>(role));
}
inline constexpr RoleMask kOperator = RoleBit(Role::kOperator);
inline constexpr RoleMask kAuditor = RoleBit(Role::kAuditor);
inline constexpr RoleMask kAgent = RoleBit(Role::kAgent);
inline constexpr RoleMask kIngest = RoleBit(Role::kIngest);
inline constexpr RoleMask kAdminOnly = 0;
inline constexpr RoleMask kReaders = kOperator | kAuditor;

// True when `role` may call a route open to `roles`.
inline bool Allows(RoleMask roles, Role role) {
  return role == Role::kAdmin || (roles & RoleBit(role)) != 0;
}

enum class RouteKind {
  kCommand,  // may append events
  kQuery,    // reads the projections after they caught up with the log's head
  kStatus,   // reads process state at once (metrics, clock)
  kPublic,   // no credential needed (GET /healthz)
};

struct RouteContext {
  const ApiRequest& request;
  std::vector<std::string> params;  // the {param} segments, in order
};

using Handler = std::function<ApiResponse(const RouteContext&)>;

struct Route {
  std::string method;
  std::string pattern;
  RoleMask roles = kAdminOnly;
  RouteKind kind = RouteKind::kQuery;
  Handler handler;
  std::vector<std::string> segments;  // pattern split at '/'; "{...}" matches one segment
};

class Router {
 public:
  // Adds a route. `pattern` starts with '/'.
  void Add(std::string method, std::string pattern, RoleMask roles, RouteKind kind,
           Handler handler);

  // The route for `method` and `path`, with its parameters in `params`;
  // nullptr when none matches. `*path_known` says whether the path matches a
  // route of another method (405 rather than 404).
  const Route* Match(std::string_view method, std::string_view path,
                     std::vector<std::string>* params, bool* path_known) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  static bool MatchSegments(const Route& route, const std::vector<std::string_view>& parts,
                            std::vector<std::string>* params);

  std::vector<Route> routes_;
};

}  // namespace rotor::app
