// A loopback provider for tests and the benchmark: an http_listener that
// records each request and replays canned answers. Replies are sent from
// continuations (never blocking in a handler, BUILD-NOTES.md); delayed
// replies ("a hang past the timeout") come from one timer thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <cpprest/http_listener.h>
#include <nlohmann/json.hpp>

namespace reviewer::test {

struct Canned {
  int status = 200;
  std::string body;
  std::map<std::string, std::string> headers;
  int delay_ms = 0;
};

struct Received {
  std::string path;  // relative to the base URL, e.g. "/chat/completions"
  std::map<std::string, std::string> headers;  // lower-case names
  nlohmann::json body;
};

class FakeServer {
 public:
  using Responder = std::function<Canned(const Received&)>;
  FakeServer();
  ~FakeServer();
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  std::string base_url() const { return base_url_; }  // "http://127.0.0.1:PORT/v1"
  void respond(Responder r);
  // Replies in order; the last one repeats.
  void script(std::vector<Canned> replies);
  std::vector<Received> received() const;

 private:
  void reply(web::http::http_request req, const Canned& c);
  void timer_loop();

  std::string base_url_;
  web::http::experimental::listener::http_listener listener_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  Responder responder_;
  std::vector<Received> received_;
  struct Delayed {
    std::chrono::steady_clock::time_point at;
    web::http::http_request req;
    Canned reply;
  };
  std::vector<Delayed> delayed_;
  bool stop_ = false;
  std::thread timer_;
};

// Canned provider answers.
Canned openai_text(const std::string& content, int tokens_in = 100, int tokens_out = 20);
Canned openai_tool_call(const std::string& id, const std::string& name, const nlohmann::json& args);
Canned anthropic_text(const std::string& text, int tokens_in = 100, int tokens_out = 20);
Canned anthropic_tool_use(const std::string& id, const std::string& name, const nlohmann::json& input);
Canned http_status(int status, std::map<std::string, std::string> headers = {});

}  // namespace reviewer::test
