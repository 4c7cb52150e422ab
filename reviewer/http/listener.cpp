#include "reviewer/http/listener.h"


#include <sys/resource.h>

#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/http/connection.h"

namespace reviewer::http {

std::optional<std::pair<std::string, std::string>> split_listen_address(std::string_view address) {
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string host(address.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return std::make_pair(host, std::string(address.substr(colon + 1)));
}

namespace net = boost::asio;
using tcp = net::ip::tcp;
using detail::Connection;

namespace {

// Raises the soft descriptor limit to the hard one and keeps the cap far
// enough below it for the queue, the body log and the mirrors: a cap the
// process cannot reach would leave accept() failing instead of evicting.
std::size_t connection_cap_for(std::size_t wanted) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return wanted;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  if (lim.rlim_cur == RLIM_INFINITY) return wanted;
  const std::size_t reserve = 128;
  const std::size_t fit = lim.rlim_cur > 2 * reserve ? lim.rlim_cur - reserve : lim.rlim_cur / 2;
  return std::max<std::size_t>(1, std::min(wanted, fit));
}

}  // namespace

namespace detail {

void ConnectionRegistry::add(const std::shared_ptr<Connection>& c) {
  std::lock_guard lock(mu_);
  open_.emplace(c.get(), c);
}

void ConnectionRegistry::remove(Connection* c) {
  std::lock_guard lock(mu_);
  open_.erase(c);
  if (open_.empty()) empty_cv_.notify_all();
}

std::size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mu_);
  return open_.size();
}

// Copies taken under the lock and released outside it: the last owner of a
// connection runs its destructor, which takes the lock to remove it.
std::vector<std::shared_ptr<Connection>> ConnectionRegistry::snapshot() const {
  std::vector<std::shared_ptr<Connection>> all;
  std::lock_guard lock(mu_);
  all.reserve(open_.size());
  for (const auto& [raw, weak] : open_) {
    if (auto c = weak.lock()) all.push_back(std::move(c));
  }
  return all;
}

bool ConnectionRegistry::make_room(std::size_t cap) {
  if (size() < cap) return true;  // the common case costs no scan
  const auto all = snapshot();
  std::shared_ptr<Connection> oldest, draining;
  std::size_t counted = 0;
  for (const auto& c : all) {
    if (c->closing) continue;
    ++counted;
    if (c->draining()) draining = c;  // already answered: the cheapest to let go
    if (c->idle() && (!oldest || c->idle_since_ns() < oldest->idle_since_ns())) oldest = c;
  }
  if (counted < cap) return true;
  if (draining) oldest = draining;
  if (!oldest) {
    // A request begun this last second is likelier a client's than a
    // stalling attacker's: then the newcomer waits (503) instead.
    const auto second_ago = std::chrono::steady_clock::now() - kReadingBeforeEviction;
    return evict_slowest_reader(
        nullptr, std::chrono::duration_cast<std::chrono::nanoseconds>(second_ago.time_since_epoch()).count());
  }
  oldest->closing = true;
  oldest->close_if_idle(true);
  return true;
}

bool ConnectionRegistry::evict_slowest_reader(const Connection* except, std::int64_t before_ns) {
  std::shared_ptr<Connection> slowest;
  std::int64_t since = before_ns;
  for (const auto& c : snapshot()) {
    const std::int64_t s = c->reading_since_ns();
    if (c.get() == except || c->closing || s == 0 || s >= since) continue;
    slowest = c;
    since = s;
  }
  if (!slowest) return false;
  slowest->closing = true;
  slowest->close_if_reading(since);
  return true;
}

std::size_t ConnectionRegistry::idle_count() const {
  std::size_t n = 0;
  for (const auto& c : snapshot()) n += c->idle() && !c->closing ? 1 : 0;
  return n;
}

void ConnectionRegistry::close_all(bool idle_only) {
  for (const auto& c : snapshot()) idle_only ? c->close_if_idle(false) : c->close();
}

bool ConnectionRegistry::wait_empty(std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  return empty_cv_.wait_for(lock, wait, [this] { return open_.empty(); });
}

}  // namespace detail

struct HttpListener::Impl {
  detail::ListenerContext ctx;  // first: connections that die with io outlive nothing they use
  net::io_context io;
  net::executor_work_guard<net::io_context::executor_type> work{io.get_executor()};
  tcp::acceptor acceptor{net::make_strand(io)};
  net::steady_timer retry{acceptor.get_executor()};
  std::vector<std::thread> threads;
  std::size_t cap = 0;
  bool shut = false;

  Impl(HttpLimits l, HttpRoutes r) : io(std::max(1, l.threads)) {
    ctx.limits = l;
    ctx.routes = std::move(r);
  }
  void accept();
  void on_accept(boost::system::error_code ec, tcp::socket socket);
  void run_io();
};

void HttpListener::Impl::accept() {
  acceptor.async_accept(net::make_strand(io),
                        [this](boost::system::error_code ec, tcp::socket s) { on_accept(ec, std::move(s)); });
}

void HttpListener::Impl::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
  if (ec) {
    // Out of descriptors or buffers: pause instead of spinning on accept.
    retry.expires_after(std::chrono::milliseconds(50));
    retry.async_wait([this](boost::system::error_code e) {
      if (!e && acceptor.is_open()) accept();
    });
    return;
  }
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  auto c = std::make_shared<Connection>(std::move(socket), ctx);
  const bool room = ctx.registry.make_room(cap);
  ctx.registry.add(c);
  if (room) {
    c->start();
  } else {
    c->refuse();
  }
  accept();
}

// A route that throws must not take an I/O thread with it.
void HttpListener::Impl::run_io() {
  for (;;) {
    try {
      io.run();
      return;
    } catch (const std::exception&) {
      // The request's connection is dropped; the server goes on.
    }
  }
}

HttpListener::HttpListener(HttpLimits limits, HttpRoutes routes)
    : impl_(std::make_unique<Impl>(limits, std::move(routes))) {}

HttpListener::~HttpListener() { shutdown(std::chrono::milliseconds(0)); }

void HttpListener::listen(const std::string& host, int port) {
  auto& m = *impl_;
  m.cap = connection_cap_for(m.ctx.limits.max_connections);
  try {
    const tcp::endpoint ep(net::ip::make_address(host), static_cast<unsigned short>(port));
    m.acceptor.open(ep.protocol());
    m.acceptor.set_option(net::socket_base::reuse_address(true));
    m.acceptor.bind(ep);
    m.acceptor.listen(1024);
  } catch (const boost::system::system_error& e) {
    throw Error(Error::Code::io, fmt::format("cannot listen on {}:{}: {}", host, port, e.code().message()));
  }
  m.accept();
  for (int i = 0; i < std::max(1, m.ctx.limits.threads); ++i) m.threads.emplace_back([&m] { m.run_io(); });
}

void HttpListener::stop_accepting() {
  auto& m = *impl_;
  if (m.ctx.stopping.exchange(true)) return;
  net::post(m.acceptor.get_executor(), [&m] {
    boost::system::error_code ignored;
    m.acceptor.close(ignored);
    m.retry.cancel();
  });
  m.ctx.registry.close_all(true);
}

void HttpListener::shutdown(std::chrono::milliseconds wait) {
  auto& m = *impl_;
  if (m.shut) return;
  m.shut = true;
  stop_accepting();
  if (!m.ctx.registry.wait_empty(wait)) {
    m.ctx.registry.close_all(false);
    m.ctx.registry.wait_empty(std::chrono::seconds(1));
  }
  m.work.reset();
  m.io.stop();
  for (auto& t : m.threads) t.join();
  m.threads.clear();
}

std::size_t HttpListener::open_connections() const { return impl_->ctx.registry.size(); }
std::size_t HttpListener::idle_connections() const { return impl_->ctx.registry.idle_count(); }
std::size_t HttpListener::connection_cap() const { return impl_->cap; }

}  // namespace reviewer::http
