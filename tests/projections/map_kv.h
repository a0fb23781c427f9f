// MapKv: one projection's key space in a std::map, readable and writable as
// the store would give it (KvReader, KvWriter). Test-only; thread-compatible.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "projections/projection.h"

namespace rotor::projections::testing {

class MapKv final : public KvReader, public KvWriter {
 public:
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    for (auto it = map.lower_bound(prefix); it != map.end() && it->first.starts_with(prefix);
         ++it) {
      if (!visit(it->first, it->second)) break;
    }
    return Status::Ok();
  }
  void Put(std::string_view key, std::string_view value) override {
    map[std::string(key)] = std::string(value);
  }
  void Delete(std::string_view key) override {
    auto it = map.find(key);
    if (it != map.end()) map.erase(it);
  }

  std::map<std::string, std::string, std::less<>> map;
};

}  // namespace rotor::projections::testing
