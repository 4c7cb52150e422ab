#include "reviewer/http/connection.h"

#include <limits>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <nlohmann/json.hpp>

#include "reviewer/core/memory_release.h"
#include "reviewer/core/text.h"

namespace reviewer::http::detail {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;

namespace {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// What a request's headers get to start with (most fit).
constexpr std::size_t kHeaderReserve = 8 * 1024;

// A body of a megabyte or more (an unsigned client may send them at will)
// is given back to the system once freed: see memory_release.h.
constexpr std::uint64_t kLargeBody = 1024 * 1024;

constexpr const char* kBodyMemoryFull = "the server holds too many request bodies; try again";

HttpAnswer error_answer(unsigned status, const std::string& message) {
  return {status, nlohmann::json{{"error", message}}.dump(), "application/json", true, {}};
}

// Beast already refuses Content-Length together with Transfer-Encoding and
// two different Content-Length values, but takes repeated equal ones, and
// reads no body at all after a transfer coding other than chunked: those
// bytes would be parsed as the next request. Anything a proxy in front
// could frame differently from us is refused.
std::optional<std::string> framing_error(const HttpRequest& req) {
  const auto lengths = req.count(http::field::content_length);
  const auto codings = req.count(http::field::transfer_encoding);
  if (lengths > 1) return "more than one Content-Length header";
  if (lengths == 1 && req[http::field::content_length].find(',') != beast::string_view::npos) {
    return "Content-Length holds a list";
  }
  if (codings == 0) return std::nullopt;
  if (codings > 1) return "more than one Transfer-Encoding header";
  if (lengths > 0) return "Transfer-Encoding together with Content-Length";
  const auto te = req[http::field::transfer_encoding];
  const std::string_view coding = trim(std::string_view(te.data(), te.size()));
  if (!beast::iequals(beast::string_view(coding.data(), coding.size()), "chunked")) {
    return "unsupported transfer coding (only chunked is accepted)";
  }
  if (req.version() < 11) return "Transfer-Encoding in an HTTP/1.0 request";
  return std::nullopt;
}

}  // namespace

Connection::Connection(net::ip::tcp::socket socket, ListenerContext& ctx)
    : ctx_(ctx), stream_(std::move(socket)), idle_timer_(stream_.get_executor()) {
  // Holds the headers, then body bytes on their way to the body's buffer;
  // a chunk header longer than this fails the read.
  buffer_.max_size(ctx_.limits.header_bytes + 64 * 1024);
  idle_since_ns_ = now_ns();
}

Connection::~Connection() {
  parser_.reset();
  if (large_body_) release_free_memory();
  ctx_.registry.remove(this);
}

void Connection::start() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->await_request(); });
}

// Waits for the first byte of the next request: the connection is idle
// (first in line to be closed at the cap) until it arrives. It waits for
// the socket to become readable instead of reading: a request's bytes stay
// in the socket until the parser takes them, where close_if_idle sees them.
// (A read that has completed but whose handler has not run yet would hide
// them, and a connection that has sent its request would be evicted.)
void Connection::await_request() {
  if (closed_) return;
  if (ctx_.stopping && !first_request_) return close_now();
  if (buffer_.size() > 0) return begin_request();  // pipelined
  // A waiting connection keeps no large buffer (hundreds may wait).
  if (buffer_.capacity() > kHeaderReserve) buffer_.shrink_to_fit();
  idle_since_ns_ = now_ns();
  idle_ = true;
  const auto wait = first_request_ ? ctx_.limits.header_timeout : ctx_.limits.idle_timeout;
  if (first_request_) first_deadline_ = std::chrono::steady_clock::now() + wait;
  const std::uint64_t round = ++round_;
  idle_timer_.expires_after(wait);
  idle_timer_.async_wait([self = shared_from_this(), round](beast::error_code ec) {
    if (!ec && self->round_ == round && self->idle_) self->close_now();
  });
  stream_.socket().async_wait(net::socket_base::wait_read, [self = shared_from_this()](beast::error_code ec) {
    self->idle_timer_.cancel();
    if (ec || self->closed_) return self->close_now();
    self->begin_request();
  });
}

void Connection::begin_request() {
  idle_ = false;
  if (closed_) return;
  reading_since_ns_ = now_ns();
  if (large_body_) {
    // The last request's body has been handed on and, by now, freed.
    large_body_ = false;
    release_free_memory();
  }
  keep_alive_ = false;
  // Beast reads as much as the buffer has room for (512 bytes at least),
  // and a buffer that is never full never grows: without room made here,
  // a 25 KB delivery took some 40 recv calls.
  buffer_.reserve(std::min(buffer_.max_size(), kHeaderReserve));
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(ctx_.limits.header_bytes));
  // Set from the routes once the headers are in. Not boost::none: Beast
  // 1.74 compares a Content-Length against it at the end of the headers,
  // and none compares below every length.
  parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
  // The first request's clock started at the accept (await_request).
  if (first_request_) {
    stream_.expires_at(first_deadline_);
  } else {
    stream_.expires_after(ctx_.limits.header_timeout);
  }
  http::async_read_header(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_head(ec); });
}

void Connection::on_head(beast::error_code ec) {
  if (ec) return fail(ec, false);
  const HttpRequest& head = parser_->get();
  head_request_ = head.method() == http::verb::head;
  if (auto bad = framing_error(head)) return refuse_request(400, "bad_framing", *bad);
  std::uint64_t limit = 0;
  std::optional<HttpAnswer> early = ctx_.routes.on_head(head, limit);
  if (early) {
    early->close = true;  // its body stays unread
    drain_on_close_ = true;
    return send(std::move(*early));
  }
  if (parser_->content_length() && *parser_->content_length() > limit) {
    return refuse_request(413, "body_too_large", "body larger than " + std::to_string(limit) + " bytes");
  }
  body_limit_ = limit;
  parser_->body_limit(limit);
  if (parser_->is_done()) return dispatch();
  read_body();
}

// The body's clock: `body_timeout` of grace, then it must keep up
// `min_body_rate` on average. Each read's deadline is when the bytes
// taken so far stop being enough, so a stalled body is closed at the end
// of the grace and a trickling one as soon as it falls behind, whatever
// length it declared.
void Connection::read_body() {
  const std::uint64_t length = parser_->content_length().value_or(body_limit_);
  body_started_ = std::chrono::steady_clock::now();
  body_read_ = 0;
  // A chunked body is large once that much of it has arrived (on_body_some).
  large_body_ = parser_->content_length().value_or(0) >= kLargeBody;
  // Room for the whole body (up to the buffer's limit): one recv per
  // 64 KB instead of one per free kilobyte.
  const std::uint64_t wanted = buffer_.size() + std::min<std::uint64_t>(length, 64 * 1024);
  buffer_.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(buffer_.max_size(), wanted)));
  // Beast reserves a declared length at once: it counts against the
  // bodies' memory before a byte of it is read (a chunked body counts as it
  // arrives).
  if (const auto declared = parser_->content_length(); declared && !hold_body_bytes(*declared)) {
    return refuse_request(503, "body_memory", kBodyMemoryFull);
  }
  read_body_some();
}

void Connection::read_body_some() {
  const auto rate = std::max<std::uint64_t>(ctx_.limits.min_body_rate, 1);
  stream_.expires_at(body_started_ + ctx_.limits.body_timeout + std::chrono::milliseconds(body_read_ * 1000 / rate));
  http::async_read_some(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
    self->on_body_some(ec, n);
  });
}

void Connection::on_body_some(beast::error_code ec, std::size_t n) {
  if (ec) return fail(ec, true);
  body_read_ += n;
  if (body_read_ >= kLargeBody) large_body_ = true;
  if (body_read_ > held_ && !hold_body_bytes(body_read_ - held_)) {
    return refuse_request(503, "body_memory", kBodyMemoryFull);
  }
  if (parser_->is_done()) return dispatch();
  read_body_some();
}

// Counts `n` more body bytes against the bodies' memory limit. Past it, the
// connection that has been reading its request longest is closed to make
// room; false when this connection is that one (it is refused).
bool Connection::hold_body_bytes(std::size_t n) {
  held_ += n;
  const std::uint64_t total = ctx_.body_bytes.fetch_add(n) + n;
  if (total <= ctx_.limits.body_memory_bytes) return true;
  return ctx_.registry.evict_slowest_reader(this, reading_since_ns_.load());
}

void Connection::release_body_bytes() {
  ctx_.body_bytes.fetch_sub(held_);
  held_ = 0;
}

void Connection::dispatch() {
  stream_.expires_never();  // the routes answer in their own time (intake commits)
  reading_since_ns_ = 0;    // read: no longer one to evict
  release_body_bytes();     // the routes own the body now
  keep_alive_ = parser_->get().keep_alive();
  auto replied = std::make_shared<std::atomic<bool>>(false);
  HttpReply reply = [self = shared_from_this(), replied](HttpAnswer answer) {
    if (replied->exchange(true)) return;
    net::post(self->stream_.get_executor(), [self, a = std::move(answer)]() mutable { self->send(std::move(a)); });
  };
  ctx_.routes.on_request(parser_->release(), std::move(reply));
}

void Connection::fail(beast::error_code ec, bool in_body) {
  if (ec == http::error::header_limit) {
    return refuse_request(431, "header_too_large", "request headers too large");
  }
  if (ec == http::error::body_limit) return refuse_request(413, "body_too_large", "body too large");
  if (ec == http::error::bad_content_length || ec == http::error::bad_transfer_encoding) {
    return refuse_request(400, "bad_framing", "conflicting Content-Length or Transfer-Encoding");
  }
  if (ec == beast::error::timeout) {
    ctx_.refused(in_body ? "body_timeout" : "header_timeout");
    return close_now();
  }
  if (ec == http::error::partial_message && in_body) {
    return refuse_request(400, "bad_request", "the body is shorter than Content-Length");
  }
  if (ec == net::error::operation_aborted || ec == http::error::end_of_stream || ec == net::error::eof ||
      ec == net::error::connection_reset || ec == http::error::partial_message) {
    return close_now();  // the peer left or we closed
  }
  if (ec == http::error::buffer_overflow && !in_body) {
    return refuse_request(431, "header_too_large", "request headers too large");
  }
  refuse_request(400, "bad_request", "malformed request: " + ec.message());
}

void Connection::refuse_request(unsigned status, const char* reason, const std::string& message) {
  ctx_.refused(reason);
  reading_since_ns_ = 0;
  release_body_bytes();
  drain_on_close_ = true;
  send(error_answer(status, message));
}

void Connection::refuse() {
  ctx_.refused("too_many_connections");
  idle_ = false;  // never the one evicted
  auto self = shared_from_this();
  net::dispatch(stream_.get_executor(), [self] {
    self->drain_on_close_ = true;  // the client may be sending its request
    self->send(error_answer(503, "too many connections; try again"));
  });
}

void Connection::send(HttpAnswer a) {
  if (closed_) return;
  const bool close_after = a.close || ctx_.stopping || !keep_alive_;
  response_ = {};
  response_.version(11);
  response_.result(a.status);
  response_.set(http::field::content_type, a.content_type);
  for (const auto& [name, value] : a.headers) response_.insert(name, value);
  for (const auto& [name, value] : ctx_.routes.headers) response_.insert(name, value);
  response_.body() = std::move(a.body);
  response_.keep_alive(!close_after);
  response_.prepare_payload();
  if (head_request_) {
    // The length the GET would have, and no body.
    const auto length = response_.body().size();
    response_.body().clear();
    response_.content_length(length);
  }
  stream_.expires_after(ctx_.limits.body_timeout);
  http::async_write(stream_, response_, [self = shared_from_this(), close_after](beast::error_code ec, std::size_t) {
    self->on_sent(ec, close_after);
  });
}

void Connection::on_sent(beast::error_code ec, bool close_after) {
  if (ec) return close_now();
  if (close_after) return drain_on_close_ ? drain_then_close() : close_now();
  parser_.reset();
  first_request_ = false;
  head_request_ = false;
  await_request();
}

void Connection::close() {
  net::post(stream_.get_executor(), [self = shared_from_this()] { self->close_now(); });
}

void Connection::close_if_idle(bool evicted) {
  net::post(stream_.get_executor(), [self = shared_from_this(), evicted] {
    // Bytes waiting unread are a request that has begun.
    beast::error_code ec;
    if (self->closed_) return;
    if (self->draining_) return self->close_now();
    if (self->idle_ && self->stream_.socket().available(ec) == 0) {
      if (evicted) self->ctx_.refused("evicted_idle");
      return self->close_now();
    }
    self->closing = false;  // a request began in the meantime: it stays
  });
}

void Connection::close_if_reading(std::int64_t since_ns) {
  net::post(stream_.get_executor(), [self = shared_from_this(), since_ns] {
    if (self->closed_) return;
    if (self->reading_since_ns_ == since_ns) {
      self->ctx_.refused("evicted_reading");
      return self->close_now();
    }
    self->closing = false;  // that request was read meanwhile: it stays
  });
}

void Connection::close_now() {
  if (closed_) return;
  closed_ = true;
  reading_since_ns_ = 0;
  release_body_bytes();
  // Until its last handler has run, a closed connection stays in the
  // registry: it must not count against the cap there.
  closing = true;
  idle_ = false;
  draining_ = false;
  idle_timer_.cancel();
  beast::error_code ignored;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
  stream_.close();
}

// After refusing a request whose bytes may still be arriving: sends FIN,
// then reads and drops what comes for a bounded time and size before
// closing. Closing with unread bytes makes the kernel send RST, and a
// client still writing its body would then lose the answer.
void Connection::drain_then_close() {
  if (closed_) return;
  draining_ = true;
  // The refused request's body is given back to the bodies' memory count
  // already (refuse_request): let its bytes go now too, not when the drain
  // ends. No read of the parser is in flight: the answer has been sent.
  parser_.reset();
  beast::error_code ignored;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
  buffer_.consume(buffer_.size());
  stream_.expires_after(std::chrono::seconds(1));
  stream_.async_read_some(buffer_.prepare(64 * 1024), [self = shared_from_this()](beast::error_code ec,
                                                                                 std::size_t n) {
    self->on_drained(ec, n);
  });
}

void Connection::on_drained(beast::error_code ec, std::size_t n) {
  drained_ += n;
  if (ec || closed_ || drained_ > 1024 * 1024) return close_now();
  stream_.async_read_some(buffer_.prepare(64 * 1024), [self = shared_from_this()](beast::error_code e,
                                                                                 std::size_t m) {
    self->on_drained(e, m);
  });
}

}  // namespace reviewer::http::detail
