// SseSubscribers: many GET /v1/stream subscriptions to one plain-HTTP rotord,
// all read on the calling thread with poll(2): a thousand subscribers without
// a thousand threads, for `rotor-bench stream` and the stream tests. Each
// reply is parsed (status line, headers, chunked body) and its events go
// through SseParser; a refusal's body is kept for the caller to read.
//
// Ownership: owns its sockets (closed on destruction). Thread-compatible: one
// thread calls Poll and the accessors.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "services/client/sse.h"

namespace rotor::client {

class SseSubscribers {
 public:
  // Called once per event with the subscriber's index, the event's name and data.
  using OnEvent =
      std::function<void(size_t subscriber, const std::string& event, const std::string& data)>;

  // Connects `count` subscribers to `host`:`port` (IPv4 or a name), each
  // sending GET /v1/stream with `Authorization: Bearer <token>`. Errors:
  // kIoError naming the address (cannot resolve or connect).
  static Result<std::unique_ptr<SseSubscribers>> Open(const std::string& host, int port,
                                                      const std::string& token, size_t count,
                                                      OnEvent on_event);
  ~SseSubscribers();
  SseSubscribers(const SseSubscribers&) = delete;
  SseSubscribers& operator=(const SseSubscribers&) = delete;

  // Reads whatever arrives within `timeout` (or until nothing is left open),
  // calling on_event for each complete event.
  void Poll(std::chrono::milliseconds timeout);
  // Closes subscriber `i`'s connection, as a client that goes away.
  void Close(size_t i);

  size_t size() const { return subs_.size(); }
  // Whether subscriber `i`'s connection is still open.
  bool open(size_t i) const { return subs_[i].fd >= 0; }
  // Its HTTP status; 0 until the status line arrived.
  int status(size_t i) const { return subs_[i].status; }
  // The body of a reply that is not an event stream (a refusal), as far as read.
  const std::string& body(size_t i) const { return subs_[i].body; }
  // Whether subscriber `i`'s chunked reply ended with its last chunk (the
  // server ended the stream cleanly).
  bool ended(size_t i) const { return subs_[i].ended; }
  // Subscribers with a 200 reply whose connection is open.
  size_t streaming() const;

 private:
  struct Subscriber {
    int fd = -1;
    int status = 0;
    bool headers_done = false;
    bool chunked = false;
    bool ended = false;  // the last (empty) chunk arrived
    std::string head;    // bytes of the status line and headers
    std::string body;    // a non-streaming reply's body
    std::string chunk;   // undecoded bytes of the chunked body
    std::unique_ptr<SseParser> parser;
  };

  explicit SseSubscribers(OnEvent on_event) : on_event_(std::move(on_event)) {}
  // Handles bytes read from subscriber `i`.
  void Received(size_t i, std::string_view bytes);
  // Decodes what is complete in the chunked body and feeds the events parser.
  void DecodeChunks(Subscriber& s);

  OnEvent on_event_;
  std::vector<Subscriber> subs_;
};

}  // namespace rotor::client
