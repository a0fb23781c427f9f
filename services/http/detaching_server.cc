#include "services/http/detaching_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

namespace rotor::http {
namespace {

// The connection the calling thread serves; set by Detaching::Serve.
struct Connection {
  std::function<void(DetachedConnection)> on_detached;
};
thread_local Connection* current_connection = nullptr;

// Waits up to `ms` for `events` on `fd`. True when they came.
bool WaitFor(int fd, int16_t events, int ms) {
  pollfd p{fd, events, 0};
  int n = 0;
  do {
    n = ::poll(&p, 1, ms);
  } while (n < 0 && errno == EINTR);
  return n > 0;
}

bool SetBlocking(int fd, bool blocking) {
  int flags = ::fcntl(fd, F_GETFL, 0);
  if (flags < 0) return false;
  flags = blocking ? (flags & ~O_NONBLOCK) : (flags | O_NONBLOCK);
  return ::fcntl(fd, F_SETFL, flags) == 0;
}

void IpAndPort(const sockaddr_storage& addr, socklen_t len, std::string& ip, int& port) {
  std::array<char, NI_MAXHOST> host{};
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host.data(), host.size(),
                    nullptr, 0, NI_NUMERICHOST) != 0) {
    return;
  }
  ip = host.data();
  if (addr.ss_family == AF_INET) {
    port = ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    port = ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
  }
}

// One request's stream over a connection, plain or TLS, as cpp-httplib's
// SocketStream and SSLSocketStream: reads are buffered (the request line is
// read a byte at a time) and every read or write waits at most its timeout.
class ConnectionStream final : public httplib::Stream {
 public:
  ConnectionStream(int fd, SSL* ssl, int read_ms, int write_ms)
      : fd_(fd), ssl_(ssl), read_ms_(read_ms), write_ms_(write_ms) {}

  bool is_readable() const override {
    return off_ < len_ || (ssl_ != nullptr && SSL_pending(ssl_) > 0) ||
           WaitFor(fd_, POLLIN, read_ms_);
  }
  bool is_writable() const override { return WaitFor(fd_, POLLOUT, write_ms_); }

  ssize_t read(char* ptr, size_t size) override {
    if (off_ == len_) {
      if (!is_readable()) return -1;
      ssize_t n = RawRead(buffer_.data(), buffer_.size());
      if (n <= 0) return n;
      off_ = 0;
      len_ = static_cast<size_t>(n);
    }
    size_t n = std::min(size, len_ - off_);
    std::memcpy(ptr, buffer_.data() + off_, n);
    off_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    if (ssl_ == nullptr) return ::send(fd_, ptr, size, MSG_NOSIGNAL);
    for (;;) {
      int n = SSL_write(ssl_, ptr, static_cast<int>(std::min<size_t>(size, 1 << 30)));
      if (n > 0) return n;
      if (!Retry(SSL_get_error(ssl_, n))) return -1;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      IpAndPort(addr, len, ip, port);
    }
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      IpAndPort(addr, len, ip, port);
    }
  }
  socket_t socket() const override { return fd_; }

 private:
  ssize_t RawRead(char* ptr, size_t size) {
    if (ssl_ == nullptr) {
      ssize_t n = 0;
      do {
        n = ::recv(fd_, ptr, size, 0);
      } while (n < 0 && errno == EINTR);
      return n;
    }
    for (;;) {
      int n = SSL_read(ssl_, ptr, static_cast<int>(size));
      if (n > 0) return n;
      int error = SSL_get_error(ssl_, n);
      if (error == SSL_ERROR_ZERO_RETURN) return 0;
      if (!Retry(error)) return -1;
    }
  }

  // After a TLS call wants to read or write: waits for that. True to retry.
  bool Retry(int error) const {
    if (error == SSL_ERROR_WANT_READ) return WaitFor(fd_, POLLIN, read_ms_);
    if (error == SSL_ERROR_WANT_WRITE) return WaitFor(fd_, POLLOUT, write_ms_);
    return false;
  }

  const int fd_;
  SSL* const ssl_;
  const int read_ms_;
  const int write_ms_;
  std::array<char, 4096> buffer_{};
  size_t off_ = 0;
  size_t len_ = 0;
};

// Waits up to `timeout_ms` for the next request on a kept-alive connection,
// in slices, to notice a server that stops. True when one is coming.
bool AwaitRequest(int fd, SSL* ssl, time_t timeout_sec, const std::atomic<socket_t>& listening) {
  if (ssl != nullptr && SSL_pending(ssl) > 0) return true;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_sec);
  while (listening != INVALID_SOCKET) {
    if (WaitFor(fd, POLLIN, 50)) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
  }
  return false;
}

// The TLS handshake on `fd`, bounded by `timeout_ms` per step. The session,
// or null when the handshake failed.
SSL* Handshake(SSL_CTX* context, int fd, int timeout_ms) {
  SSL* ssl = SSL_new(context);
  if (ssl == nullptr) return nullptr;
  SSL_set_fd(ssl, fd);
  bool ok = SetBlocking(fd, false);
  while (ok) {
    int r = SSL_accept(ssl);
    if (r == 1) break;
    int error = SSL_get_error(ssl, r);
    ok = (error == SSL_ERROR_WANT_READ && WaitFor(fd, POLLIN, timeout_ms)) ||
         (error == SSL_ERROR_WANT_WRITE && WaitFor(fd, POLLOUT, timeout_ms));
  }
  if (!ok || !SetBlocking(fd, true)) {
    SSL_free(ssl);
    return nullptr;
  }
  return ssl;
}

// cpp-httplib's Server or SSLServer with the connection loop of the header.
template <class Base>
class Detaching final : public Base {
 public:
  using Base::Base;

 private:
  bool process_and_close_socket(socket_t sock) override {
    SSL* ssl = nullptr;
    if constexpr (std::is_same_v<Base, httplib::SSLServer>) {
      ssl = Handshake(this->ssl_context(), sock, ReadMs());
      if (ssl == nullptr) {
        Close(sock, nullptr, false);
        return false;
      }
    }
    Connection connection;
    current_connection = &connection;
    bool ok = Serve(sock, ssl);
    current_connection = nullptr;
    if (connection.on_detached) {
      connection.on_detached(DetachedConnection{sock, ssl});
      return true;
    }
    Close(sock, ssl, ok);
    return ok;
  }

  // cpp-httplib's keep-alive loop; ends after a detach.
  bool Serve(socket_t sock, SSL* ssl) {
    bool ok = false;
    for (size_t left = this->keep_alive_max_count_;
         left > 0 && AwaitRequest(sock, ssl, this->keep_alive_timeout_sec_, this->svr_sock_);
         --left) {
      ConnectionStream stream(sock, ssl, ReadMs(), WriteMs());
      bool closed = false;
      ok = this->process_request(stream, left == 1, closed, Setup(ssl));
      if (current_connection->on_detached || !ok || closed) break;
    }
    return ok;
  }

  // Gives each request its TLS session (the client certificate's check).
  static std::function<void(httplib::Request&)> Setup(SSL* ssl) {
    if constexpr (std::is_same_v<Base, httplib::SSLServer>) {
      return [ssl](httplib::Request& req) { req.ssl = ssl; };
    } else {
      (void)ssl;
      return nullptr;
    }
  }

  static void Close(socket_t sock, SSL* ssl, bool graceful) {
    if (ssl != nullptr) {
      if (graceful) SSL_shutdown(ssl);
      SSL_free(ssl);
    }
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
  }

  int ReadMs() const {
    return static_cast<int>(this->read_timeout_sec_ * 1000 + this->read_timeout_usec_ / 1000);
  }
  int WriteMs() const {
    return static_cast<int>(this->write_timeout_sec_ * 1000 + this->write_timeout_usec_ / 1000);
  }
};

}  // namespace

bool DetachConnection(std::function<void(DetachedConnection)> on_detached) {
  if (current_connection == nullptr) return false;
  current_connection->on_detached = std::move(on_detached);
  return true;
}

std::unique_ptr<httplib::Server> MakeDetachingServer(const std::string& tls_cert,
                                                     const std::string& tls_key,
                                                     const std::string& client_ca) {
  if (tls_cert.empty()) return std::make_unique<Detaching<httplib::Server>>();
  return std::make_unique<Detaching<httplib::SSLServer>>(
      tls_cert.c_str(), tls_key.c_str(), client_ca.empty() ? nullptr : client_ca.c_str());
}

}  // namespace rotor::http
