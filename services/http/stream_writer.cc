#include "services/http/stream_writer.h"

#include <fcntl.h>
#include <spdlog/fmt/fmt.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <deque>

namespace rotor::http {

using Clock = std::chrono::steady_clock;

struct StreamWriter::Stream {
  DetachedConnection connection;
  std::shared_ptr<app::LiveFeed> feed;
  std::shared_ptr<void> slot;
  std::deque<std::shared_ptr<const std::string>> out;  // chunks not yet sent
  size_t offset = 0;                                   // bytes of out.front() sent
  Clock::time_point last_write = Clock::now();         // or the last chunk queued
  bool want_write = false;                             // EPOLLOUT watched
  bool ending = false;                                 // close once out is sent
};

namespace {

constexpr ssize_t kWouldBlock = -2;

// The HTTP chunk that carries `payload`.
std::string Chunk(const std::string& payload) {
  return fmt::format("{:x}\r\n", payload.size()) + payload + "\r\n";
}

const std::shared_ptr<const std::string>& KeepaliveChunk() {
  static const auto* chunk = new std::shared_ptr<const std::string>(
      std::make_shared<const std::string>(Chunk(": keepalive\n\n")));
  return *chunk;
}

const std::shared_ptr<const std::string>& LastChunk() {
  static const auto* chunk =
      new std::shared_ptr<const std::string>(std::make_shared<const std::string>("0\r\n\r\n"));
  return *chunk;
}

// Sends what the socket takes now. Bytes sent, kWouldBlock, or -1 (the
// connection is gone).
ssize_t Send(const DetachedConnection& c, const char* data, size_t size) {
  if (c.ssl == nullptr) {
    ssize_t n = 0;
    do {
      n = ::send(c.fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return kWouldBlock;
    return n;
  }
  int n = SSL_write(c.ssl, data, static_cast<int>(std::min<size_t>(size, 1 << 30)));
  if (n > 0) return n;
  int error = SSL_get_error(c.ssl, n);
  return error == SSL_ERROR_WANT_WRITE || error == SSL_ERROR_WANT_READ ? kWouldBlock : -1;
}

// Reads and drops what the client sent. False when the connection is
// closed or broken.
bool DrainInput(const DetachedConnection& c) {
  std::array<char, 4096> scratch{};
  if (c.ssl == nullptr) {
    ssize_t n = ::recv(c.fd, scratch.data(), scratch.size(), MSG_DONTWAIT);
    return n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR));
  }
  int n = SSL_read(c.ssl, scratch.data(), static_cast<int>(scratch.size()));
  if (n > 0) return true;
  int error = SSL_get_error(c.ssl, n);
  return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE;
}

// Ends the connection: the TLS session's close_notify as far as the socket
// takes it now, then the socket.
void CloseConnection(const DetachedConnection& c) {
  if (c.ssl != nullptr) {
    SSL_shutdown(c.ssl);
    SSL_free(c.ssl);
  }
  ::shutdown(c.fd, SHUT_RDWR);
  ::close(c.fd);
}

}  // namespace

Result<std::unique_ptr<StreamWriter>> StreamWriter::Start(Options options) {
  int epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) return Status::IoError(fmt::format("epoll_create1: {}", std::strerror(errno)));
  int event_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = event_fd;
  if (event_fd < 0 || ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, event_fd, &ev) != 0) {
    Status error = Status::IoError(fmt::format("eventfd: {}", std::strerror(errno)));
    if (event_fd >= 0) ::close(event_fd);
    ::close(epoll_fd);
    return error;
  }
  auto writer = std::unique_ptr<StreamWriter>(new StreamWriter(options, epoll_fd, event_fd));
  writer->thread_ = std::thread([w = writer.get()] { w->Run(); });
  return writer;
}

StreamWriter::StreamWriter(Options options, int epoll_fd, int event_fd)
    : options_(options), epoll_fd_(epoll_fd), event_fd_(event_fd) {}

StreamWriter::~StreamWriter() {
  Stop();
  ::close(event_fd_);
  ::close(epoll_fd_);
}

void StreamWriter::Wake() {
  if (woken_.exchange(true)) return;  // the writer has yet to see the last one
  uint64_t one = 1;
  (void)::write(event_fd_, &one, sizeof(one));
}

void StreamWriter::Add(DetachedConnection connection, std::shared_ptr<app::LiveFeed> feed,
                       std::shared_ptr<void> slot) {
  {
    MutexLock lock(&mu_);
    if (!stopped_) {
      added_.push_back({connection, std::move(feed), std::move(slot)});
      streams_.fetch_add(1);
      uint64_t one = 1;
      (void)::write(event_fd_, &one, sizeof(one));
      return;
    }
  }
  CloseConnection(connection);  // feed and slot go with the arguments
}

void StreamWriter::Stop() {
  {
    MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  stopping_ = true;
  uint64_t one = 1;
  (void)::write(event_fd_, &one, sizeof(one));
  if (thread_.joinable()) thread_.join();
  std::vector<Added> added;
  {
    MutexLock lock(&mu_);
    added.swap(added_);
  }
  for (Added& a : added) {
    CloseConnection(a.connection);
    streams_.fetch_sub(1);
  }
  while (!open_.empty()) Close(*open_.begin()->second);
}

void StreamWriter::Run() {
  std::array<epoll_event, 256> events{};
  const auto tick = std::max(std::chrono::milliseconds(1),
                             std::min(options_.heartbeat, options_.write_timeout) / 4);
  auto next_sweep = Clock::now() + tick;
  while (!stopping_.load()) {
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(next_sweep - Clock::now());
    int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()),
                         static_cast<int>(std::max<int64_t>(wait.count(), 0)));
    bool woken = false;
    for (int i = 0; i < n; ++i) {
      if (events[i].data.fd == event_fd_) {
        uint64_t count = 0;
        (void)::read(event_fd_, &count, sizeof(count));
        woken = true;
        continue;
      }
      auto it = open_.find(events[i].data.fd);
      if (it != open_.end()) OnSocket(*it->second, events[i].events);
    }
    Adopt();
    if (woken) {
      woken_.store(false);  // a wake from now on writes the eventfd again
      std::vector<Stream*> ready;
      for (auto& [fd, s] : open_) {
        if (s->out.empty()) ready.push_back(s.get());
      }
      for (Stream* s : ready) Fill(*s);
      if (chunks_.size() > 256) chunks_.clear();
    }
    if (Clock::now() >= next_sweep) {
      Sweep();
      next_sweep = Clock::now() + tick;
    }
  }
}

void StreamWriter::Adopt() {
  std::vector<Added> added;
  {
    MutexLock lock(&mu_);
    added.swap(added_);
  }
  for (Added& a : added) {
    auto s = std::make_unique<Stream>();
    s->connection = a.connection;
    s->feed = std::move(a.feed);
    s->slot = std::move(a.slot);
    Stream& stream = *s;
    (void)::fcntl(a.connection.fd, F_SETFL, ::fcntl(a.connection.fd, F_GETFL, 0) | O_NONBLOCK);
    if (a.connection.ssl != nullptr) {
      SSL_set_mode(a.connection.ssl,
                   SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.fd = a.connection.fd;
    open_.emplace(a.connection.fd, std::move(s));
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, a.connection.fd, &ev) != 0) {
      Close(stream);
      continue;
    }
    Fill(stream);  // every rollout's current progress
  }
}

void StreamWriter::Fill(Stream& s) {
  Result<std::vector<std::shared_ptr<const std::string>>> changed = s.feed->Poll();
  if (!changed.ok()) {
    s.out.push_back(LastChunk());
    s.ending = true;
  } else {
    for (const std::shared_ptr<const std::string>& json : *changed) {
      s.out.push_back(ProgressChunk(json));
    }
  }
  if (!s.out.empty()) Flush(s);
}

bool StreamWriter::Flush(Stream& s) {
  while (!s.out.empty()) {
    const std::string& chunk = *s.out.front();
    ssize_t n = Send(s.connection, chunk.data() + s.offset, chunk.size() - s.offset);
    if (n == kWouldBlock) {
      WantWrite(s, true);
      return true;
    }
    if (n <= 0) {
      Close(s);
      return false;
    }
    s.last_write = Clock::now();
    s.offset += static_cast<size_t>(n);
    if (s.offset == chunk.size()) {
      s.out.pop_front();
      s.offset = 0;
    }
  }
  if (s.ending) {
    Close(s);
    return false;
  }
  WantWrite(s, false);
  return true;
}

void StreamWriter::OnSocket(Stream& s, uint32_t events) {
  if ((events & (EPOLLHUP | EPOLLERR | EPOLLRDHUP)) != 0 ||
      ((events & EPOLLIN) != 0 && !DrainInput(s.connection))) {
    Close(s);  // the client went away
    return;
  }
  if ((events & EPOLLOUT) != 0 && Flush(s) && s.out.empty()) Fill(s);  // the latest values
}

void StreamWriter::Sweep() {
  const auto now = Clock::now();
  std::vector<Stream*> quiet;
  std::vector<Stream*> stuck;
  for (auto& [fd, s] : open_) {
    if (!s->out.empty() && now - s->last_write >= options_.write_timeout) stuck.push_back(s.get());
    if (s->out.empty() && now - s->last_write >= options_.heartbeat) quiet.push_back(s.get());
  }
  for (Stream* s : stuck) Close(*s);  // a client that stopped reading
  for (Stream* s : quiet) {
    s->out.push_back(KeepaliveChunk());
    s->last_write = now;
    Flush(*s);
  }
}

void StreamWriter::WantWrite(Stream& s, bool want) {
  if (s.want_write == want) return;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | (want ? EPOLLOUT : 0u);
  ev.data.fd = s.connection.fd;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, s.connection.fd, &ev) == 0) s.want_write = want;
}

void StreamWriter::Close(Stream& s) {
  const int fd = s.connection.fd;
  (void)::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  CloseConnection(s.connection);
  streams_.fetch_sub(1);
  open_.erase(fd);  // drops the feed and the slot (when s is one of open_)
}

std::shared_ptr<const std::string> StreamWriter::ProgressChunk(
    const std::shared_ptr<const std::string>& json) {
  auto it = chunks_.find(json.get());
  if (it != chunks_.end()) return it->second.second;
  auto chunk =
      std::make_shared<const std::string>(Chunk("event: progress\ndata: " + *json + "\n\n"));
  chunks_.emplace(json.get(), std::make_pair(json, chunk));
  return chunk;
}

}  // namespace rotor::http
