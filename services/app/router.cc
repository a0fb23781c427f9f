#include "services/app/router.h"

namespace rotor::app {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> parts;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

bool IsParam(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::Add(std::string method, std::string pattern, RoleMask roles, RouteKind kind,
                 Handler handler) {
  Route route;
  route.method = std::move(method);
  route.pattern = std::move(pattern);
  route.roles = roles;
  route.kind = kind;
  route.handler = std::move(handler);
  for (std::string_view part : Split(route.pattern)) route.segments.emplace_back(part);
  routes_.push_back(std::move(route));
}

bool Router::MatchSegments(const Route& route, const std::vector<std::string_view>& parts,
                           std::vector<std::string>* params) {
  if (route.segments.size() != parts.size()) return false;
  params->clear();
  for (size_t i = 0; i < parts.size(); ++i) {
    if (IsParam(route.segments[i])) {
      if (parts[i].empty()) return false;
      params->emplace_back(parts[i]);
    } else if (route.segments[i] != parts[i]) {
      return false;
    }
  }
  return true;
}

const Route* Router::Match(std::string_view method, std::string_view path,
                           std::vector<std::string>* params, bool* path_known) const {
  *path_known = false;
  std::vector<std::string_view> parts = Split(path);
  std::vector<std::string> scratch;
  for (const Route& route : routes_) {
    if (!MatchSegments(route, parts, &scratch)) continue;
    if (route.method == method) {
      *params = std::move(scratch);
      return &route;
    }
    *path_known = true;
  }
  return nullptr;
}

}  // namespace rotor::app
