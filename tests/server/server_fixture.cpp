#include "server_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "storage/sqlite.h"

#include "reviewer/github/signature.h"
#include "support/loopback.h"
#include "support/testutil.h"

namespace reviewer::test {

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("bind failed");
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

HttpReply http_raw(int port, const std::string& raw, std::chrono::milliseconds timeout, bool shutdown_write) {
  HttpReply r;
  int fd = connect_loopback(port);
  if (fd < 0) return r;
  send_all(fd, raw);  // false: the server answered early and closed (413)
  if (shutdown_write) ::shutdown(fd, SHUT_WR);
  std::string in;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    in.append(buf, static_cast<size_t>(n));
    // Stop once a complete response (by Content-Length) is in.
    auto end = in.find("\r\n\r\n");
    if (end != std::string::npos) {
      auto cl = in.find("Content-Length: ");
      if (cl == std::string::npos) cl = in.find("content-length: ");
      if (cl != std::string::npos && cl < end) {
        size_t want = std::stoul(in.substr(cl + 16));
        if (in.size() >= end + 4 + want) break;
      }
    }
  }
  ::close(fd);
  if (in.rfind("HTTP/1.1 ", 0) == 0 && in.size() >= 12) r.status = std::stoi(in.substr(9, 3));
  auto end = in.find("\r\n\r\n");
  if (end != std::string::npos) r.body = in.substr(end + 4);
  return r;
}

HttpReply http_get(int port, const std::string& path) {
  return http_raw(port, fmt::format("GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path));
}

std::string webhook_request(const std::string& body, const WebhookOptions& o) {
  static std::atomic<int> n{0};
  std::string id = o.delivery_id.empty() ? fmt::format("test-{}-{}", ::getpid(), n++) : o.delivery_id;
  std::string sig = o.signature.empty() ? "sha256=" + github::hmac_sha256_hex(kSecret, body) : o.signature;
  std::string req = "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  req += "User-Agent: GitHub-Hookshot/test\r\n";
  req += fmt::format("X-GitHub-Event: {}\r\nX-GitHub-Delivery: {}\r\n", o.event, id);
  if (sig != "-") req += fmt::format("X-Hub-Signature-256: {}\r\n", sig);
  req += fmt::format("Content-Type: {}\r\nContent-Length: {}\r\n\r\n", o.content_type, body.size());
  return req + body;
}

HttpReply post_webhook(int port, const std::string& body, const WebhookOptions& o) {
  return http_raw(port, webhook_request(body, o));
}

std::string pull_request_payload(const std::string& repo, int number, const std::string& head_sha,
                                 const std::string& action) {
  auto pr = webhook_examples("pull_request").at(0);
  pr["action"] = action;
  pr["repository"]["full_name"] = repo;
  pr["number"] = number;
  pr["pull_request"]["number"] = number;
  pr["pull_request"]["head"]["sha"] = head_sha;
  return pr.dump();
}

bool wait_until(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

JobResult RecordingHandler::handle(const Job& job, std::stop_token) {
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (!hold_) {
        jobs_.push_back(job);
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (job.superseded && job.superseded()) return {JobResult::Status::superseded, "newer head", {}};
  return {JobResult::Status::done, "recorded", {}};
}

std::vector<Job> RecordingHandler::jobs() const {
  std::lock_guard lock(mu_);
  return jobs_;
}

void RecordingHandler::hold(bool on) {
  std::lock_guard lock(mu_);
  hold_ = on;
}

LiveServer::LiveServer(const std::filesystem::path& d, int workers, std::shared_ptr<JobHandler> h,
                       server::Environment extra_env, server::Server::DeadLetterSink report_dead)
    : dir(d), handler(h ? std::move(h) : std::make_shared<RecordingHandler>()) {
  port = free_port();
  server::Environment env = {{"REVIEWER_WEBHOOK_SECRET", kSecret},
                             {"REVIEWER_LISTEN", fmt::format("127.0.0.1:{}", port)},
                             {"REVIEWER_DATA_DIR", dir.string()},
                             {"REVIEWER_WORKERS", std::to_string(workers)},
                             {"REVIEWER_SHUTDOWN_GRACE_SECONDS", "5"}};
  for (auto& [k, v] : extra_env) env[k] = v;
  settings = server::load_settings(std::nullopt, env);
  log_file = std::fopen((dir / "serve.log").c_str(), "w");
  log = std::make_unique<app::JsonLog>(log_file);
  server = std::make_unique<server::Server>(
      settings, [this](app::JsonLog&, Metrics&) { return handler; }, *log, std::move(report_dead));
  server->start();
}

LiveServer::~LiveServer() {
  server->stop();
  server.reset();
  std::fclose(log_file);
}

std::string LiveServer::log_text() const {
  std::fflush(log_file);
  return read_text(dir / "serve.log");
}

std::string query_one(const std::filesystem::path& db, const std::string& sql) {
  auto h = storage::Connection::open(db, SQLITE_OPEN_READONLY, nullptr, "test database");
  h.set_busy_timeout(5000);
  auto st = h.prepare(sql);
  return st.step() ? st.column_text(0) : "";
}

}  // namespace reviewer::test
