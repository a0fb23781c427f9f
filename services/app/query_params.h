// Strict query strings: a route names the parameters it takes, and any
// other is refused by name, as unknown JSON fields are (docs/api.md).
// Thread-safe (pure function).
#pragma once

#include <initializer_list>
#include <string_view>

#include "base/status.h"
#include "services/app/api.h"

namespace rotor::app {

// OK when every query parameter of `request` is one of `known`. Errors:
// kInvalidArgument "unknown query parameter 'NAME'".
Status OnlyQueryParameters(const ApiRequest& request,
                           std::initializer_list<std::string_view> known);

}  // namespace rotor::app
