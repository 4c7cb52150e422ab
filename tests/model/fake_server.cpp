#include "fake_server.h"

#include <atomic>
#include <random>
#include <stdexcept>

namespace reviewer::test {

namespace http = web::http;
using nlohmann::json;

FakeServer::FakeServer() {
  // cpprest cannot bind port 0 and report it: try random high ports.
  std::random_device rd;
  std::mt19937 gen(rd());
  std::uniform_int_distribution<int> dist(20000, 60000);
  for (int attempt = 0;; ++attempt) {
    base_url_ = "http://127.0.0.1:" + std::to_string(dist(gen)) + "/v1";
    listener_ = http::experimental::listener::http_listener(base_url_);
    listener_.support([this](http::http_request req) {
      req.extract_utf8string(true).then([this, req](pplx::task<std::string> t) {
        Received r;
        r.path = req.relative_uri().path();
        for (const auto& [k, v] : req.headers()) {
          std::string key = k;
          for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          r.headers[key] = v;
        }
        std::string body;
        try {
          body = t.get();  // already complete inside the continuation
        } catch (...) {
        }
        r.body = json::parse(body, nullptr, false);
        Canned c;
        {
          std::lock_guard lock(mutex_);
          received_.push_back(r);
          c = responder_ ? responder_(r) : http_status(500);
          if (c.delay_ms > 0) {
            delayed_.push_back({std::chrono::steady_clock::now() + std::chrono::milliseconds(c.delay_ms), req, c});
            cv_.notify_all();
            return;
          }
        }
        reply(req, c);
      });
    });
    try {
      listener_.open().wait();
      break;
    } catch (const std::exception&) {
      if (attempt > 20) throw;
    }
  }
  timer_ = std::thread([this] { timer_loop(); });
}

FakeServer::~FakeServer() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    cv_.notify_all();
  }
  timer_.join();
  listener_.close().wait();
}

void FakeServer::timer_loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    auto now = std::chrono::steady_clock::now();
    std::vector<Delayed> due;
    for (auto it = delayed_.begin(); it != delayed_.end();) {
      if (stop_ || it->at <= now) {
        due.push_back(std::move(*it));
        it = delayed_.erase(it);
      } else {
        ++it;
      }
    }
    if (!due.empty()) {
      lock.unlock();
      for (auto& d : due) reply(d.req, stop_ ? http_status(503) : d.reply);
      lock.lock();
      continue;
    }
    if (stop_) return;
    if (delayed_.empty()) {
      cv_.wait(lock);
    } else {
      auto next = delayed_.front().at;
      for (const auto& d : delayed_) next = std::min(next, d.at);
      cv_.wait_until(lock, next);
    }
  }
}

void FakeServer::reply(http::http_request req, const Canned& c) {
  http::http_response resp(static_cast<http::status_code>(c.status));
  for (const auto& [k, v] : c.headers) resp.headers().add(k, v);
  resp.set_body(c.body, "application/json");
  req.reply(resp).then([](pplx::task<void> t) {
    try {
      t.get();
    } catch (...) {  // the client gave up (timeout): nothing to do
    }
  });
}

void FakeServer::respond(Responder r) {
  std::lock_guard lock(mutex_);
  responder_ = std::move(r);
}

void FakeServer::script(std::vector<Canned> replies) {
  auto state = std::make_shared<std::pair<std::vector<Canned>, std::size_t>>(std::move(replies), 0);
  respond([state](const Received&) {
    auto& [list, next] = *state;
    if (list.empty()) return http_status(500);
    const Canned& c = list[std::min(next, list.size() - 1)];
    ++next;
    return c;
  });
}

std::vector<Received> FakeServer::received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

Canned openai_text(const std::string& content, int tokens_in, int tokens_out) {
  json body = {{"id", "chatcmpl-1"},
               {"object", "chat.completion"},
               {"choices", {{{"index", 0}, {"message", {{"role", "assistant"}, {"content", content}}}, {"finish_reason", "stop"}}}},
               {"usage", {{"prompt_tokens", tokens_in}, {"completion_tokens", tokens_out}}}};
  return {200, body.dump(), {}, 0};
}

Canned openai_tool_call(const std::string& id, const std::string& name, const json& args) {
  json call = {{"id", id}, {"type", "function"}, {"function", {{"name", name}, {"arguments", args.dump()}}}};
  json body = {{"choices", {{{"index", 0},
                             {"message", {{"role", "assistant"}, {"content", nullptr}, {"tool_calls", {call}}}},
                             {"finish_reason", "tool_calls"}}}},
               {"usage", {{"prompt_tokens", 50}, {"completion_tokens", 10}}}};
  return {200, body.dump(), {}, 0};
}

Canned anthropic_text(const std::string& text, int tokens_in, int tokens_out) {
  json body = {{"id", "msg_1"},
               {"type", "message"},
               {"role", "assistant"},
               {"content", {{{"type", "text"}, {"text", text}}}},
               {"stop_reason", "end_turn"},
               {"usage", {{"input_tokens", tokens_in}, {"output_tokens", tokens_out}}}};
  return {200, body.dump(), {}, 0};
}

Canned anthropic_tool_use(const std::string& id, const std::string& name, const json& input) {
  json body = {{"id", "msg_2"},
               {"type", "message"},
               {"role", "assistant"},
               {"content", {{{"type", "tool_use"}, {"id", id}, {"name", name}, {"input", input}}}},
               {"stop_reason", "tool_use"},
               {"usage", {{"input_tokens", 50}, {"output_tokens", 10}}}};
  return {200, body.dump(), {}, 0};
}

Canned http_status(int status, std::map<std::string, std::string> headers) {
  return {status, R"({"error":{"message":"canned"}})", std::move(headers), 0};
}

}  // namespace reviewer::test
