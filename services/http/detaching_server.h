// DetachingServer: cpp-httplib's server whose handlers may take their
// connection away from it. GET /v1/stream uses it to hand an open stream's
// socket to a StreamWriter after the response headers, so that an open
// stream holds no thread.
//
// cpp-httplib (0.11) serves each accepted connection in
// Server::process_and_close_socket, a private virtual function. The servers
// MakeDetachingServer builds override it with the loop cpp-httplib runs
// (keep-alive: up to keep_alive_max_count requests, each awaited for up to
// the keep-alive timeout; reads and writes bounded by the read and write
// timeouts; for HTTPS, the TLS handshake first, with the client-certificate
// check of the SSL context) and one addition: when a handler called
// DetachConnection and the response then ended early (its content provider
// returned false), the socket and its TLS session are handed to the
// handler's callback instead of being closed.
//
// Ownership: the caller owns the server; a detached connection belongs to
// whoever received it. Thread safety: as httplib::Server; DetachConnection
// is called on the thread that serves the request.
#pragma once

#include <httplib.h>
#include <openssl/ssl.h>

#include <functional>
#include <memory>
#include <string>

#include "base/status.h"

namespace rotor::http {

// A connection taken from the server after a response's headers: a
// connected TCP socket in blocking mode and, for HTTPS, its TLS session
// (null for plain HTTP). The receiver frees the session and closes the socket.
struct DetachedConnection {
  int fd = -1;
  SSL* ssl = nullptr;
};

// From a handler or a content provider it set, on the request's thread:
// once the response ends early (the content provider returns false, after
// writing what it wants the client to have), the connection leaves the
// server and `on_detached` receives it, on the same thread. Returns false
// (and keeps nothing) outside a connection served by a DetachingServer.
bool DetachConnection(std::function<void(DetachedConnection)> on_detached);

// An httplib::Server (plain HTTP, when `tls_cert` is empty) or
// httplib::SSLServer (PEM files; `client_ca` may be empty) whose connections
// can be detached. Check is_valid() as for cpp-httplib's own servers.
std::unique_ptr<httplib::Server> MakeDetachingServer(const std::string& tls_cert,
                                                     const std::string& tls_key,
                                                     const std::string& client_ca);

}  // namespace rotor::http
