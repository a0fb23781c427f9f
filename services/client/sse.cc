// Server-Sent Events parsing. See sse.h.
#include "services/client/sse.h"

namespace rotor::client {

bool SseParser::Feed(std::string_view bytes) {
  size_t start = 0;
  if (skip_lf_ && !bytes.empty() && bytes[0] == '\n') start = 1;
  skip_lf_ = false;
  for (size_t i = start; i < bytes.size(); ++i) {
    char c = bytes[i];
    if (c != '\n' && c != '\r') continue;
    pending_.append(bytes.substr(start, i - start));
    std::string line;
    line.swap(pending_);
    if (c == '\r') {
      if (i + 1 < bytes.size()) {
        if (bytes[i + 1] == '\n') ++i;
      } else {
        skip_lf_ = true;
      }
    }
    start = i + 1;
    if (!Line(line)) return false;
  }
  pending_.append(bytes.substr(start));
  return true;
}

bool SseParser::Line(std::string_view line) {
  if (line.empty()) {
    bool keep_going = true;
    if (has_data_) keep_going = on_event_(event_.empty() ? "message" : event_, data_);
    event_.clear();
    data_.clear();
    has_data_ = false;
    return keep_going;
  }
  if (line[0] == ':') return true;  // a comment
  size_t colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
  }
  if (field == "event") {
    event_.assign(value);
  } else if (field == "data") {
    if (has_data_) data_ += '\n';
    data_.append(value);
    has_data_ = true;
  }
  return true;
}

}  // namespace rotor::client
