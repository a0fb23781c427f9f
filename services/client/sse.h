// SseParser: an incremental parser for the Server-Sent Events wire format
// (GET /v1/stream). Feed it bytes as they arrive, in chunks of any size; it
// calls back once per complete event with the event's name ("message" when
// the server named none) and its data (several `data:` lines joined by
// "\n"). Comment lines (": keep-alive") and `id:`/`retry:` fields are
// ignored. Thread-compatible; owns only its buffers.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace rotor::client {

class SseParser {
 public:
  // Returns false to stop parsing; Feed then returns false as well.
  using OnEvent = std::function<bool(const std::string& event, const std::string& data)>;

  explicit SseParser(OnEvent on_event) : on_event_(std::move(on_event)) {}

  // Consumes `bytes`. Returns false once the callback asked to stop (the
  // rest of `bytes` is dropped), true otherwise.
  bool Feed(std::string_view bytes);

 private:
  // Handles one line without its terminator. Returns false to stop.
  bool Line(std::string_view line);

  OnEvent on_event_;
  std::string pending_;  // bytes of an unterminated line
  std::string event_;
  std::string data_;
  bool has_data_ = false;
  bool skip_lf_ = false;  // the previous chunk ended in '\r'
};

}  // namespace rotor::client
