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

class ConnectionRegistry {
 public:
  void add(const std::shared_ptr<Connection>& c);
  void remove(Connection* c);
  std::size_t size() const;
  // Open connections waiting for a request's first byte (new or kept alive).
  std::size_t idle_count() const;
  // Below `cap` open connections (not counting those already asked to
  // close): true. At the cap: asks the one idle longest to close and
  // returns true, or returns false when none is idle.
  bool make_room(std::size_t cap);
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
  // Idle: waiting for the first byte of a request. Draining: reading and
  // dropping what a refused request still sends, before the close (the
  // first to be evicted).
  bool idle() const { return idle_.load(); }
  bool draining() const { return draining_.load(); }
  std::int64_t idle_since_ns() const { return idle_since_ns_.load(); }
  // Set when the registry asked this connection to close, or it closed:
  // such a connection no longer counts against the cap.
  std::atomic<bool> closing{false};

 private:
  void await_request();
  void begin_request();
  void on_head(boost::beast::error_code ec);
  void read_body();
  void on_body(boost::beast::error_code ec);
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
};

}  // namespace reviewer::http::detail
