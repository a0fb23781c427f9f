// StreamWriter: serves open GET /v1/stream responses from one thread, so an
// open stream holds a socket and a few buffers, never a thread of its own.
//
// HttpServer hands each stream over once its response headers and first
// chunk are written (DetachConnection): the socket, its TLS session, the
// stream's LiveFeed and its slot. The writer's thread waits in epoll on
// every socket it serves and on an eventfd that the feeds' wake callback
// signals (once per hub update however many streams wait, not once per
// stream). Woken, it polls each stream's feed and writes what changed as SSE
// events in HTTP chunks, without blocking: a stream whose client reads
// slowly keeps what it has not sent and, once the socket drains, polls again
// and so skips to the latest values (the hub's coalescing holds per stream).
//
// A stream ends, its socket closed and its slot released, when the client
// closes or resets the connection (seen at once, from epoll), when bytes
// have waited `write_timeout` to be sent, when its feed is cancelled (the
// API shuts down: the closing chunk is sent first) or at Stop. After
// `heartbeat` without a write, a stream gets a `: keepalive` comment.
//
// Ownership: the writer owns its thread, the epoll and eventfd descriptors
// and every stream handed to it (sockets, TLS sessions, feeds, slots).
// Thread safety: Add, Wake, streams() and Stop are safe from any thread; the
// streams themselves are touched only by the writer's thread (and by Stop
// after joining it).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "base/thread_annotations.h"
#include "services/app/api.h"
#include "services/http/detaching_server.h"

namespace rotor::http {

class StreamWriter {
 public:
  struct Options {
    std::chrono::milliseconds heartbeat{5000};
    std::chrono::milliseconds write_timeout{5000};
  };

  // Creates the descriptors and starts the thread. Errors: kIoError (epoll
  // or eventfd cannot be created).
  static Result<std::unique_ptr<StreamWriter>> Start(Options options);
  // Stop.
  ~StreamWriter();
  StreamWriter(const StreamWriter&) = delete;
  StreamWriter& operator=(const StreamWriter&) = delete;

  // A stream's feed calls this when it may have something new (it is the
  // `wake` given to Api::OpenFeed). Cheap: at most one eventfd write per
  // round of the writer's thread.
  void Wake();
  // Takes over a stream: `connection` (its response headers sent, chunked),
  // the `feed` to serve on it and its `slot` (released when the stream
  // ends). After Stop, the stream is closed at once.
  void Add(DetachedConnection connection, std::shared_ptr<app::LiveFeed> feed,
           std::shared_ptr<void> slot) EXCLUDES(mu_);
  // Ends every stream (without the closing chunk) and joins the thread.
  // Idempotent.
  void Stop() EXCLUDES(mu_);

  // Streams served now (handed over and not yet ended).
  size_t streams() const { return streams_.load(); }

 private:
  struct Stream;
  struct Added {
    DetachedConnection connection;
    std::shared_ptr<app::LiveFeed> feed;
    std::shared_ptr<void> slot;
  };

  StreamWriter(Options options, int epoll_fd, int event_fd);
  void Run();
  // Adds the streams handed over since the last round.
  void Adopt() EXCLUDES(mu_);
  // Queues what `s`'s feed has (or the closing chunk) and writes it.
  void Fill(Stream& s);
  // Writes what `s` has queued, as far as the socket takes it. False when
  // `s` ended (it is gone).
  bool Flush(Stream& s);
  // Handles epoll's report on `s`'s socket.
  void OnSocket(Stream& s, uint32_t events);
  // Keepalives and write timeouts.
  void Sweep();
  // Closes `s` and forgets it (`s` is gone).
  void Close(Stream& s);
  // Watches (or stops watching) `s`'s socket for room to write.
  void WantWrite(Stream& s, bool want);
  // The HTTP chunk carrying `json` as an SSE progress event (shared by the
  // streams that send the same text).
  std::shared_ptr<const std::string> ProgressChunk(const std::shared_ptr<const std::string>& json);

  const Options options_;
  const int epoll_fd_;
  const int event_fd_;
  std::atomic<bool> woken_{false};  // an eventfd write is pending
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> streams_{0};

  Mutex mu_;
  std::vector<Added> added_ GUARDED_BY(mu_);
  bool stopped_ GUARDED_BY(mu_) = false;

  // The writer's thread only (and Stop, after joining it).
  std::unordered_map<int, std::unique_ptr<Stream>> open_;  // by socket
  std::unordered_map<const std::string*, std::pair<std::shared_ptr<const std::string>,
                                                   std::shared_ptr<const std::string>>>
      chunks_;  // progress text -> {the text (kept alive), its chunk}
  std::thread thread_;
};

}  // namespace rotor::http
