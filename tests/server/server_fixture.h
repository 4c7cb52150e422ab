// Helpers for the server tests: a raw-socket HTTP client (so tests control
// every byte: truncated and oversized bodies), signed webhook requests,
// GitHub's example payloads, and a server running in this process.
#pragma once

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reviewer/server/job.h"
#include "reviewer/app/log.h"
#include "reviewer/server/server.h"
#include "reviewer/server/settings.h"
#include "support/webhooks.h"

namespace reviewer::test {

inline const std::string kSecret = "test-secret-never-logged";

// A loopback port nobody listens on right now.
int free_port();

struct HttpReply {
  int status = 0;  // 0: no response (connection closed or timed out)
  std::string body;
};

// Sends `raw` (a whole HTTP/1.1 request) and reads the reply until the
// server closes the connection or `timeout` passes. `shutdown_write`
// half-closes after sending (a client that stops mid-body).
HttpReply http_raw(int port, const std::string& raw, std::chrono::milliseconds timeout = std::chrono::seconds(10),
                   bool shutdown_write = false);
HttpReply http_get(int port, const std::string& path);

struct WebhookOptions {
  std::string event = "pull_request";
  std::string delivery_id;
  std::string content_type = "application/json";
  std::string signature;  // default: the correct sha256= header; "-" for none
};
std::string webhook_request(const std::string& body, const WebhookOptions& o);
HttpReply post_webhook(int port, const std::string& body, const WebhookOptions& o);

// A pull_request payload for `repo` #number at `head_sha`.
std::string pull_request_payload(const std::string& repo, int number, const std::string& head_sha,
                                 const std::string& action = "synchronize");

bool wait_until(const std::function<bool()>& cond, std::chrono::milliseconds timeout);

// A JobHandler that records the jobs it ran and can hold them until released.
class RecordingHandler : public JobHandler {
 public:
  JobResult handle(const Job& job, std::stop_token stop) override;
  std::vector<Job> jobs() const;
  void hold(bool on);

 private:
  mutable std::mutex mu_;
  std::vector<Job> jobs_;
  bool hold_ = false;
};

// A server on a free loopback port with its data in `dir`, logging to
// dir/serve.log.
struct LiveServer {
  explicit LiveServer(const std::filesystem::path& dir, int workers = 1,
                      std::shared_ptr<JobHandler> handler = nullptr,
                      server::Environment extra_env = {}, server::Server::DeadLetterSink report_dead = {});
  ~LiveServer();
  std::string log_text() const;
  std::filesystem::path dir;
  server::ServeSettings settings;
  std::FILE* log_file = nullptr;
  std::unique_ptr<app::JsonLog> log;
  std::shared_ptr<JobHandler> handler;
  std::unique_ptr<server::Server> server;
  int port = 0;
};

// Runs `sql` on the queue database and returns the first column of the
// first row as text ("" when no row).
std::string query_one(const std::filesystem::path& db, const std::string& sql);

}  // namespace reviewer::test
