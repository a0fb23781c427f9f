#include "services/app/query_params.h"

#include <algorithm>
#include <string>

namespace rotor::app {

Status OnlyQueryParameters(const ApiRequest& request,
                           std::initializer_list<std::string_view> known) {
  for (const auto& [name, value] : request.query) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return Status::InvalidArgument("unknown query parameter '" + name + "'");
    }
  }
  return Status::Ok();
}

}  // namespace rotor::app
