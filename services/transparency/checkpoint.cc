#include "services/transparency/checkpoint.h"

#include <charconv>
#include <cstring>

#include "base/base64.h"

namespace rotor::transparency {

std::string FormatCheckpoint(const Checkpoint& c) {
  return c.origin + "\n" + std::to_string(c.size) + "\n" +
         Base64Encode(
             std::string_view(reinterpret_cast<const char*>(c.root.data()), c.root.size())) +
         "\n";
}

Result<Checkpoint> ParseCheckpoint(std::string_view body) {
  std::string_view lines[3];
  for (std::string_view& line : lines) {
    size_t end = body.find('\n');
    if (end == std::string_view::npos) {
      return Status::InvalidArgument("checkpoint: expected origin, tree size and root hash lines");
    }
    line = body.substr(0, end);
    body.remove_prefix(end + 1);
  }
  Checkpoint c;
  if (lines[0].empty()) return Status::InvalidArgument("checkpoint: the origin line is empty");
  c.origin = std::string(lines[0]);
  auto [ptr, ec] = std::from_chars(lines[1].data(), lines[1].data() + lines[1].size(), c.size);
  if (ec != std::errc() || ptr != lines[1].data() + lines[1].size() || lines[1].empty() ||
      (lines[1].size() > 1 && lines[1][0] == '0')) {
    return Status::InvalidArgument("checkpoint: tree size '" + std::string(lines[1]) +
                                   "' is not a decimal number");
  }
  Result<std::string> root = Base64Decode(lines[2], "checkpoint root hash");
  if (!root.ok()) return root.status();
  if (root->size() != c.root.size()) {
    return Status::InvalidArgument("checkpoint: the root hash is not 32 bytes");
  }
  std::memcpy(c.root.data(), root->data(), c.root.size());
  return c;
}

}  // namespace rotor::transparency
