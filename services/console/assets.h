// The web console's files (console/ in the source tree), embedded into the
// binary at build time by embed_assets.cmake, so rotord serves the console
// with nothing installed beside it and nothing fetched from elsewhere.
//
// Immutable static data; safe to read from any thread.
#pragma once

#include <span>
#include <string_view>

namespace rotor::console {

struct Asset {
  std::string_view path;          // "/console/js/main.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view etag;          // "\"<32 hex digits of the SHA-256>\""
  std::string_view body;
};

// Every asset, sorted by path.
std::span<const Asset> Assets();

// The asset served at `url_path`: "/" and "/console/" are index.html;
// nullptr when there is none (a path with "..", a query, or an unknown file).
const Asset* FindAsset(std::string_view url_path);

}  // namespace rotor::console
