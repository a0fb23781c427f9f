// Many SSE subscribers on one thread. See sse_subscribers.h.
#include "services/client/sse_subscribers.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

namespace rotor::client {
namespace {

// A blocking TCP connection to host:port; -1 with `error` set on failure.
int Connect(const std::string& host, int port, std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0) {
    *error = gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      *error = std::strerror(errno);
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  return fd;
}

bool SendAll(int fd, const std::string& text) {
  size_t sent = 0;
  while (sent < text.size()) {
    ssize_t n = send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

Result<std::unique_ptr<SseSubscribers>> SseSubscribers::Open(const std::string& host, int port,
                                                             const std::string& token, size_t count,
                                                             OnEvent on_event) {
  auto subs = std::unique_ptr<SseSubscribers>(new SseSubscribers(std::move(on_event)));
  subs->subs_.resize(count);
  const std::string request = "GET /v1/stream HTTP/1.1\r\nHost: " + host +
                              "\r\nAccept: text/event-stream\r\nAuthorization: Bearer " + token +
                              "\r\n\r\n";
  for (size_t i = 0; i < count; ++i) {
    std::string error;
    int fd = Connect(host, port, &error);
    if (fd < 0) {
      std::string what = "cannot connect subscriber " + std::to_string(i);
      what += " to " + host + ":" + std::to_string(port) + ": ";
      what += error;
      return Status::IoError(what);
    }
    Subscriber& s = subs->subs_[i];
    s.fd = fd;
    if (!SendAll(fd, request)) {
      return Status::IoError("cannot send subscriber " + std::to_string(i) + "'s request to " +
                             host + ":" + std::to_string(port));
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    s.parser = std::make_unique<SseParser>(
        [self = subs.get(), i](const std::string& event, const std::string& data) {
          self->on_event_(i, event, data);
          return true;
        });
  }
  return subs;
}

SseSubscribers::~SseSubscribers() {
  for (size_t i = 0; i < subs_.size(); ++i) Close(i);
}

void SseSubscribers::Close(size_t i) {
  if (subs_[i].fd >= 0) close(subs_[i].fd);
  subs_[i].fd = -1;
}

size_t SseSubscribers::streaming() const {
  return static_cast<size_t>(std::count_if(subs_.begin(), subs_.end(), [](const Subscriber& s) {
    return s.fd >= 0 && s.status == 200;
  }));
}

void SseSubscribers::Poll(std::chrono::milliseconds timeout) {
  std::vector<pollfd> fds;
  std::vector<size_t> index;
  for (size_t i = 0; i < subs_.size(); ++i) {
    if (subs_[i].fd < 0) continue;
    fds.push_back({subs_[i].fd, POLLIN, 0});
    index.push_back(i);
  }
  if (fds.empty()) return;
  if (poll(fds.data(), fds.size(), static_cast<int>(timeout.count())) <= 0) return;
  char buffer[16384];
  for (size_t k = 0; k < fds.size(); ++k) {
    if (fds[k].revents == 0) continue;
    size_t i = index[k];
    for (;;) {
      ssize_t n = recv(subs_[i].fd, buffer, sizeof buffer, 0);
      if (n > 0) {
        Received(i, std::string_view(buffer, static_cast<size_t>(n)));
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      Close(i);  // the server closed the connection, or an error
      break;
    }
  }
}

void SseSubscribers::Received(size_t i, std::string_view bytes) {
  Subscriber& s = subs_[i];
  if (!s.headers_done) {
    s.head.append(bytes);
    size_t end = s.head.find("\r\n\r\n");
    if (end == std::string::npos) return;
    std::string rest = s.head.substr(end + 4);
    s.head.resize(end);
    s.headers_done = true;
    size_t space = s.head.find(' ');
    if (space != std::string::npos) s.status = std::atoi(s.head.c_str() + space + 1);
    s.chunked = Lower(s.head).find("transfer-encoding: chunked") != std::string::npos;
    bytes = rest;
    if (!s.chunked) {
      s.body.append(rest);
      return;
    }
    s.chunk.append(rest);
    DecodeChunks(s);
    return;
  }
  if (!s.chunked) {
    s.body.append(bytes);
    return;
  }
  s.chunk.append(bytes);
  DecodeChunks(s);
}

void SseSubscribers::DecodeChunks(Subscriber& s) {
  size_t pos = 0;
  for (;;) {
    size_t line_end = s.chunk.find("\r\n", pos);
    if (line_end == std::string::npos) break;
    size_t size = std::strtoul(s.chunk.c_str() + pos, nullptr, 16);
    size_t data = line_end + 2;
    if (s.chunk.size() < data + size + 2) break;  // the chunk is not complete yet
    std::string_view chunk = s.chunk;
    if (size > 0) s.parser->Feed(chunk.substr(data, size));
    if (size == 0) s.ended = true;  // the last chunk: the server ended the stream
    pos = data + size + 2;
  }
  s.chunk.erase(0, pos);
}

}  // namespace rotor::client
