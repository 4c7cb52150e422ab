// The inbound HTTP/1.1 server of `reviewer serve` and `reviewer audit serve`
// (Boost.Beast on Asio), built so that an unauthenticated client cannot
// exhaust it: every request
// is bounded in header size, body size and time before the routes see it,
// and the number of open connections is capped.
//
// - Headers: at most `header_bytes`, within `header_timeout` of the first
//   byte; beyond either the connection is answered 431 or closed.
// - Framing: two Content-Length headers, Transfer-Encoding with
//   Content-Length, or any transfer coding other than a lone `chunked` is
//   answered 400 and the connection closed (request smuggling).
// - Body: the routes' `on_head` sees the headers before any body byte is
//   read and either answers at once (the body is never read) or names the
//   body limit; a chunked body is cut off with 413 as soon as a chunk
//   header passes it. After `body_timeout` a body must keep up
//   `min_body_rate` on average (a stalled one is closed at
//   `body_timeout`). The bodies being read hold at most
//   `body_memory_bytes` together: past it the connection that has been
//   reading longest is closed, or the reader itself answered 503 when it
//   is that one.
// - Connections: at most `max_connections` (also kept below the process's
//   descriptor limit); above it a connection still draining a refused
//   request, else the one idle longest, else the one reading its request
//   longest (if for a second at least), is closed; otherwise the new one
//   is answered 503 and closed.
// - Refusals: after an answer sent with the request unread, the connection
//   reads and drops what still arrives (up to 1 MiB, 1 s) before closing,
//   so the client is not reset before it has read the answer.
// - HEAD: the answer's headers (Content-Length of the body the same GET
//   would get) are sent without its body.
//
// Thread-safety: listen() and shutdown() from one owning thread; the route
// callbacks run on the I/O threads, and a Reply may be called from any
// thread, exactly once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace reviewer::http {

struct HttpLimits {
  int threads = 2;                                      // I/O threads running Asio
  std::size_t header_bytes = 64 * 1024;                 // request line and headers
  std::size_t max_connections = 1024;                   // open connections
  std::chrono::milliseconds header_timeout{10'000};     // first byte to end of headers
  std::chrono::milliseconds body_timeout{10'000};       // body, on top of its length at min_body_rate; also the answer's write
  std::uint64_t min_body_rate = 256 * 1024;             // bytes per second
  std::uint64_t body_memory_bytes = 64 * 1024 * 1024;   // bodies being read, all connections together
  std::chrono::milliseconds idle_timeout{15'000};       // keep-alive between requests
};

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpAnswer {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  bool close = false;  // close the connection once sent
  HttpHeaders headers = {};  // sent after Content-Type, in this order
};

// Called exactly once per request, from any thread.
using HttpReply = std::function<void(HttpAnswer)>;

struct HttpRoutes {
  // The headers have arrived and no body byte has been read. Returns an
  // answer to send now (the connection is then closed, its body unread),
  // or nullopt after setting `body_limit` for this request's body.
  std::function<std::optional<HttpAnswer>(const HttpRequest& head, std::uint64_t& body_limit)> on_head;
  // The whole request.
  std::function<void(HttpRequest request, HttpReply reply)> on_request;
  // A request refused by the listener itself (reason: header_too_large,
  // body_too_large, bad_framing, bad_request, header_timeout, body_timeout,
  // too_many_connections) or a connection closed to make room (evicted_idle).
  std::function<void(const char* reason)> on_refused;
  // Sent with every answer, the listener's own refusals included (the
  // console's security headers).
  HttpHeaders headers;
};

// "HOST:PORT" split at the last colon into host (an IPv6 host's brackets
// removed: "[::1]:8080") and the port's text; nullopt without a colon or a
// host. The caller checks the port (its messages name its setting).
std::optional<std::pair<std::string, std::string>> split_listen_address(std::string_view address);

class HttpListener {
 public:
  HttpListener(HttpLimits limits, HttpRoutes routes);
  ~HttpListener();
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  // Binds host:port and starts the I/O threads. Throws reviewer::Error(io).
  void listen(const std::string& host, int port);
  // Stops accepting and closes idle connections; a request in flight
  // keeps its connection until it is answered, which then closes.
  void stop_accepting();
  // Waits up to `wait` for connections in flight to finish, closes the
  // rest and joins the I/O threads. Idempotent.
  void shutdown(std::chrono::milliseconds wait);

  std::size_t open_connections() const;
  // Of those, the ones waiting for a request (the first to go at the cap).
  std::size_t idle_connections() const;
  // The cap in force (max_connections, lowered to fit the descriptor limit).
  std::size_t connection_cap() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace reviewer::http
