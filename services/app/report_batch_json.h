// The fast path of POST /v1/reports:batch's body: splitting the plain shape
// without building a JSON document.
//
// SplitPlainReportBatch returns true and the text of each report object, in
// order, when `body` is exactly {"reports":[{...},...]} (JSON whitespace
// between tokens, no other field, report objects without nested objects,
// strings without escapes or control characters). Anything else returns
// false: the route then parses the body as a JSON document, which gives the
// same reports or the error. The spans point into `body`.
//
// Pure function; thread-safe.
#pragma once

#include <string_view>
#include <vector>

namespace rotor::app {

bool SplitPlainReportBatch(std::string_view body, std::vector<std::string_view>* reports);

}  // namespace rotor::app
