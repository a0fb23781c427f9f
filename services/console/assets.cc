#include "services/console/assets.h"

#include <algorithm>

namespace rotor::console {

const Asset* FindAsset(std::string_view url_path) {
  if (url_path == "/" || url_path == "/console" || url_path == "/console/") {
    url_path = "/console/index.html";
  }
  std::span<const Asset> assets = Assets();
  auto it = std::lower_bound(assets.begin(), assets.end(), url_path,
                             [](const Asset& a, std::string_view p) { return a.path < p; });
  if (it == assets.end() || it->path != url_path) return nullptr;
  return &*it;
}

}  // namespace rotor::console
