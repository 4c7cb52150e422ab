// One accepted HTTP connection of HttpListener (listener.h) and the
// registry of open connections that enforces the cap. Internal to the
// listener.
//
// Thread-safety: a Connection's own work runs on its strand; close(),
// close_if_idle(), idle() and idle_since_ns() may be called from any thread.
// The registry's methods may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>

#include "reviewer/http/listener.h"

namespace reviewer::http::detail {

class Connection;

// How long a request must have been read before a new connection may
// evict it at the cap.
inline constexpr std::chrono::seconds kReadingBeforeEviction{1};

class ConnectionRegistry {
 public:
  void add(const std::shared_ptr<Connection>& c);
  void remove(Connection* c);
  std::size_t size() const;
  // Open connections waiting for a request's first byte (new or kept alive).
  std::size_t idle_count() const;
  // Below `cap` open connections (not counting those already asked to
  // close): true. At the cap: asks one to close and returns true — one
  // draining a refused request, else the one idle longest, else the one
  // that has been reading its request longest — or returns false when
  // every connection is past reading (answering, or waiting for intake) or
  // began its request less than kReadingBeforeEviction ago.
  bool make_room(std::size_t cap);
  // Asks the connection that has been reading its request longest, if it
  // began before `before_ns` and is not `except`, to close: true if one
  // was asked. A slow client is the likeliest to be an attacker's, and a
  // fast one is rarely still reading.
  bool evict_slowest_reader(const Connection* except, std::int64_t before_ns);
  // Asks every connection (or only the idle ones) to close.
  void close_all(bool idle_only);
  // True once no connection is open, false after `wait`.
  bool wait_empty(std::chrono::milliseconds wait);

 private:
  std::vector<std::shared_ptr<Connection>> snapshot() const;
  mutable std::mutex mu_;
  std::condition_variable empty_cv_;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> open_;
};

// What the listener and its connections share; outlives every connection.
struct ListenerContext {
  HttpLimits limits;
  HttpRoutes routes;
  ConnectionRegistry registry;
  std::atomic<bool> stopping{false};
  // Request body bytes read and not yet handed to the routes, all
  // connections together (limits.body_memory_bytes bounds it).
  std::atomic<std::uint64_t> body_bytes{0};

  void refused(const char* reason) const {
    if (routes.on_refused) routes.on_refused(reason);
  }
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(boost::asio::ip::tcp::socket socket, ListenerContext& ctx);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Serves requests until the peer or a limit closes the connection.
  void start();
  // Answers 503 and closes (the connection cap is reached).
  void refuse();
  void close();
  // Closes unless a request has begun since the call was made; `evicted`:
  // to make room for a new connection (counted).
  void close_if_idle(bool evicted);
  // Closes if it is still reading the same request (counted as
  // `evicted_reading`).
  void close_if_reading(std::int64_t since_ns);
  // Idle: waiting for the first byte of a request. Draining: reading and
  // dropping what a refused request still sends, before the close (the
  // first to be evicted).
  bool idle() const { return idle_.load(); }
  bool draining() const { return draining_.load(); }
  std::int64_t idle_since_ns() const { return idle_since_ns_.load(); }
  // When the request being read began (its first byte); 0 when no request
  // is being read (idle, or handed to the routes, or answering).
  std::int64_t reading_since_ns() const { return reading_since_ns_.load(); }
  // Set when the registry asked this connection to close, or it closed:
  // such a connection no longer counts against the cap.
  std::atomic<bool> closing{false};

 private:
  void await_request();
  void begin_request();
  void on_head(boost::beast::error_code ec);
  void read_body();
  void read_body_some();
  void on_body_some(boost::beast::error_code ec, std::size_t n);
  bool hold_body_bytes(std::size_t n);
  void release_body_bytes();
  void dispatch();
  void fail(boost::beast::error_code ec, bool in_body);
  void refuse_request(unsigned status, const char* reason, const std::string& message);
  void send(HttpAnswer answer);
  void on_sent(boost::beast::error_code ec, bool close_after);
  void close_now();
  void drain_then_close();
  void on_drained(boost::beast::error_code ec, std::size_t n);

  ListenerContext& ctx_;
  boost::beast::tcp_stream stream_;
  // Times the wait for a request's first byte, which is a wait for the
  // socket to become readable (tcp_stream's own timer covers reads only).
  boost::asio::steady_timer idle_timer_;
  std::chrono::steady_clock::time_point first_deadline_{};
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  std::uint64_t body_limit_ = 0;
  std::chrono::steady_clock::time_point body_started_{};
  std::uint64_t body_read_ = 0;  // bytes of this body the parser has taken
  std::uint64_t held_ = 0;       // of them, counted in ctx_.body_bytes
  bool large_body_ = false;      // a body of kLargeBody or more was read since the last release
  bool first_request_ = true;
  bool keep_alive_ = false;  // of the request being answered
  bool head_request_ = false;  // it is a HEAD: the answer goes without its body
  bool closed_ = false;
  bool drain_on_close_ = false;  // a refused request's bytes may still be arriving
  std::size_t drained_ = 0;
  std::uint64_t round_ = 0;  // which idle wait a timer belongs to
  std::atomic<bool> draining_{false};
  std::atomic<bool> idle_{true};
  std::atomic<std::int64_t> idle_since_ns_{0};
  std::atomic<std::int64_t> reading_since_ns_{0};
};

}  // namespace reviewer::http::detail
