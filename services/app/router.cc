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

// "{name...}": the rest of the path, one or more segments (last only).
bool IsRestParam(std::string_view segment) {
  return IsParam(segment) && segment.size() > 5 && segment.substr(segment.size() - 4) == "...}";
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
  bool rest = !route.segments.empty() && IsRestParam(route.segments.back());
  if (rest ? parts.size() < route.segments.size() : route.segments.size() != parts.size()) {
    return false;
  }
  params->clear();
  for (size_t i = 0; i < route.segments.size(); ++i) {
    if (rest && i + 1 == route.segments.size()) {
      std::string joined(parts[i]);
      for (size_t j = i + 1; j < parts.size(); ++j) joined += "/" + std::string(parts[j]);
      if (joined.empty()) return false;
      params->push_back(std::move(joined));
    } else if (IsParam(route.segments[i])) {
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
