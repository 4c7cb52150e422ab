// Unsigned load for bench/server.sh's attack section: connections that
// stream huge unsigned bodies (half declaring Content-Length, half chunked,
// each reconnecting as soon as the server refuses it) and a crowd of idle
// connections (reopened whenever the server closes one), for a fixed time.
// Valid and forged deliveries are sent alongside by wrk.
//
// Usage: server_attack PORT SECONDS [STREAMERS=4] [IDLE=500] [BODY_MB=250] [PAUSE_MS=50]
// PAUSE_MS: how long a streamer waits before reconnecting once refused (0:
// at once, which makes it a connection flood that mostly measures this
// tool's own CPU on a small machine).
// Prints one line: BENCH_ATTACK stream_connections=... written_mb=... (what
// the kernel took from the streamers' sends, not what the server read)
// idle_opened=... idle_open_at_end=...
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "support/loopback.h"

namespace {

using Clock = std::chrono::steady_clock;

// A connection whose sends give up after a second: a server that stops
// reading without closing must not hang the attacker.
int connect_to(int port) {
  int fd = reviewer::test::connect_loopback(port);
  if (fd < 0) return -1;
  timeval tv{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return fd;
}

using reviewer::test::send_all;

struct Totals {
  std::atomic<long> stream_connections{0};
  std::atomic<long> streamed_bytes{0};
  std::atomic<long> idle_opened{0};
  std::atomic<long> idle_open{0};
};

// One unsigned upload after another until the deadline.
void stream(int port, int id, long body_bytes, int pause_ms, Clock::time_point end, Totals& t) {
  const bool chunked = id % 2 == 1;
  const std::string block(64 * 1024, 'x');
  const std::string chunk = "10000\r\n" + block + "\r\n";
  for (long n = 0; Clock::now() < end; ++n) {
    int fd = connect_to(port);
    if (fd < 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    ++t.stream_connections;
    std::string head = "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nX-GitHub-Event: pull_request\r\n";
    head += "X-GitHub-Delivery: attack-" + std::to_string(id) + "-" + std::to_string(n) + "\r\n";
    head += "Content-Type: application/json\r\n";
    head += chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "Content-Length: " + std::to_string(body_bytes) + "\r\n\r\n";
    bool ok = send_all(fd, head);
    for (long sent = 0; ok && sent < body_bytes && Clock::now() < end; sent += long(block.size())) {
      ok = send_all(fd, chunked ? chunk : block);
      if (ok) t.streamed_bytes += long(block.size());
    }
    ::close(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
  }
}

// Keeps `count` connections open that never send a byte.
void hold_idle(int port, int count, Clock::time_point end, Totals& t) {
  std::vector<pollfd> fds;
  for (int i = 0; i < count; ++i) {
    int fd = connect_to(port);
    if (fd >= 0) ++t.idle_opened;
    fds.push_back({fd, POLLIN, 0});
  }
  while (Clock::now() < end) {
    ::poll(fds.data(), fds.size(), 100);
    for (auto& p : fds) {
      if (p.fd >= 0 && !(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
      if (p.fd >= 0) ::close(p.fd);  // closed by the server (timeout or eviction): come back
      p.fd = connect_to(port);
      if (p.fd >= 0) ++t.idle_opened;
      p.revents = 0;
    }
  }
  for (auto& p : fds) {
    if (p.fd < 0) continue;
    pollfd q{p.fd, POLLIN, 0};
    if (::poll(&q, 1, 0) == 0) ++t.idle_open;
    ::close(p.fd);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: server_attack PORT SECONDS [STREAMERS=4] [IDLE=500] [BODY_MB=250] [PAUSE_MS=50]\n");
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const auto end = Clock::now() + std::chrono::seconds(std::atoi(argv[2]));
  const int streamers = argc > 3 ? std::atoi(argv[3]) : 4;
  const int idle = argc > 4 ? std::atoi(argv[4]) : 500;
  const long body = (argc > 5 ? std::atol(argv[5]) : 250) * 1024L * 1024;
  const int pause_ms = argc > 6 ? std::atoi(argv[6]) : 50;
  rlimit lim{};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &lim);
  Totals t;
  std::vector<std::thread> threads;
  for (int i = 0; i < streamers; ++i) threads.emplace_back(stream, port, i, body, pause_ms, end, std::ref(t));
  threads.emplace_back(hold_idle, port, idle, end, std::ref(t));
  for (auto& th : threads) th.join();
  std::printf("BENCH_ATTACK stream_connections=%ld written_mb=%.1f idle_opened=%ld idle_open_at_end=%ld\n",
              t.stream_connections.load(), double(t.streamed_bytes.load()) / (1024.0 * 1024.0), t.idle_opened.load(),
              t.idle_open.load());
  return 0;
}
