// The real server on a free loopback port, driven over raw sockets.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "reviewer/core/metrics.h"
#include "reviewer/server/queue.h"
#include "reviewer/github/signature.h"
#include "server_fixture.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::server;
using namespace std::chrono_literals;

namespace {

std::string count(const test::LiveServer& s, const std::string& table) {
  return test::query_one(s.settings.queue_db(), "SELECT COUNT(*) FROM " + table);
}

std::string a_pull_request() { return test::webhook_examples("pull_request").at(0).dump(); }

// Records the nice value of the thread each job runs on, and of the threads
// that job starts (a review's agents run on std::async threads).
class PriorityHandler final : public JobHandler {
 public:
  JobResult handle(const Job&, std::stop_token) override {
    worker = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
    std::thread t([this] { child = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())); });
    t.join();
    ran = true;
    return {JobResult::Status::done, "ok", {}};
  }
  std::atomic<int> worker{-100}, child{-100};
  std::atomic<bool> ran{false};
};

}  // namespace

TEST_SUITE("server::Server") {
  TEST_CASE("health, readiness and metrics answer on their routes") {
    test::LiveServer s(test::scratch_dir("routes"));
    CHECK(test::http_get(s.port, "/healthz").status == 200);
    auto ready = test::http_get(s.port, "/readyz");
    CAPTURE(ready.body);
    CHECK(ready.status == 200);
    CHECK(ready.body.find("\"ready\":true") != std::string::npos);
    auto m = test::http_get(s.port, "/metrics");
    CHECK(m.status == 200);
    for (const char* name : {"reviewer_webhook_deliveries_total", "reviewer_queue_depth", "reviewer_jobs{state=\"dead\"}",
                             "reviewer_review_duration_seconds", "reviewer_agent_duration_seconds",
                             "reviewer_github_api_calls_total", "reviewer_job_retries_total",
                             "reviewer_queue_oldest_age_seconds", "# TYPE reviewer_jobs_ended_total counter",
                             "reviewer_jobs_ended_total{state=\"done\"} 0"}) {
      CAPTURE(name);
      CHECK(m.body.find(name) != std::string::npos);
    }
    CHECK(test::http_get(s.port, "/nope").status == 404);
    CHECK(test::http_get(s.port, "/webhook").status == 405);
  }

  TEST_CASE("a signed pull_request is stored with its job before the 202, and a redelivery is a 200 with no new job") {
    auto handler = std::make_shared<test::RecordingHandler>();
    test::LiveServer s(test::scratch_dir("accept"), 1, handler);
    const std::string body = a_pull_request();
    test::WebhookOptions o;
    o.delivery_id = "72d3162e-cc78-11e3-81ab-4c9367dc0958";
    auto r = test::post_webhook(s.port, body, o);
    CHECK(r.status == 202);
    // Committed before the answer: visible at once.
    CHECK(count(s, "deliveries") == "1");
    CHECK(count(s, "jobs") == "1");
    // The raw body is in the body log, named by the row (body_log.h).
    CHECK(test::query_one(s.settings.queue_db(), "SELECT body_length FROM deliveries") == std::to_string(body.size()));
    auto again = test::post_webhook(s.port, body, o);
    CHECK(again.status == 200);
    CHECK(again.body.find("duplicate") != std::string::npos);
    CHECK(count(s, "jobs") == "1");
    REQUIRE(test::wait_until([&] { return handler->jobs().size() == 1; }, 10s));
    CHECK(handler->jobs()[0].delivery_id == o.delivery_id);
    CHECK(handler->jobs()[0].payload == body);
    CHECK(s.server->metrics().counter("reviewer_webhook_deliveries_total",
                                      {{"event", "pull_request"}, {"outcome", "duplicate"}}) == 1);
    auto log = s.log_text();
    CHECK(log.find("\"delivery_id\":\"72d3162e-cc78-11e3-81ab-4c9367dc0958\"") != std::string::npos);
    CHECK(log.find(test::kSecret) == std::string::npos);
  }

  TEST_CASE("ping is a 200, unhandled events are recorded without a job") {
    test::LiveServer s(test::scratch_dir("ping"));
    test::WebhookOptions o;
    o.event = "ping";
    CHECK(test::post_webhook(s.port, R"({"zen":"Keep it logically awesome.","hook_id":1})", o).status == 200);
    o.event = "star";
    CHECK(test::post_webhook(s.port, R"({"action":"created"})", o).status == 202);
    for (const auto& ex : test::webhook_examples("installation")) {
      o.event = "installation";
      CHECK(test::post_webhook(s.port, ex.dump(), o).status == 202);
    }
    CHECK(count(s, "deliveries") == "9");
    CHECK(count(s, "jobs") == "0");
    CHECK(test::query_one(s.settings.queue_db(), "SELECT outcome FROM deliveries WHERE event='ping'") == "ping");
  }

  TEST_CASE("forged, missing and SHA-1 signatures get 401 and store nothing") {
    test::LiveServer s(test::scratch_dir("forged"));
    const std::string body = a_pull_request();
    test::WebhookOptions o;
    o.signature = "sha256=" + std::string(64, '0');
    CHECK(test::post_webhook(s.port, body, o).status == 401);
    o.signature = "-";
    CHECK(test::post_webhook(s.port, body, o).status == 401);
    o.signature = "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59";
    CHECK(test::post_webhook(s.port, body, o).status == 401);
    // Signed with another secret.
    o.signature = "sha256=" + github::hmac_sha256_hex("not-the-secret", body);
    CHECK(test::post_webhook(s.port, body, o).status == 401);
    CHECK(count(s, "deliveries") == "0");
    CHECK(s.server->metrics().counter("reviewer_webhook_rejected_total", {{"reason", "signature"}}) == 4);
  }

  TEST_CASE("a flood of forged deliveries costs constant log volume") {
    test::LiveServer s(test::scratch_dir("flood"));
    const std::string body = a_pull_request();
    test::WebhookOptions o;
    o.signature = "sha256=" + std::string(64, 'f');
    for (int i = 0; i < 300; ++i) REQUIRE(test::post_webhook(s.port, body, o).status == 401);
    auto log = s.log_text();
    int lines = 0;
    for (char ch : log) lines += ch == '\n';
    CHECK(lines <= 3);  // serve_started + one aggregated line
    CHECK(s.server->metrics().counter("reviewer_webhook_rejected_total", {{"reason", "signature"}}) == 300);
    s.server->stop();
    log = s.log_text();
    CHECK(log.find("\"suppressed\":299") != std::string::npos);
  }

  TEST_CASE("bad bodies are refused: truncated, not JSON, invalid UTF-8, wrong type, too large") {
    test::LiveServer s(test::scratch_dir("bodies"));
    const std::string body = a_pull_request();
    // Truncated JSON, correctly signed.
    CHECK(test::post_webhook(s.port, body.substr(0, body.size() / 2), {}).status == 400);
    // Invalid UTF-8 inside a string, correctly signed.
    std::string bad_utf8 = body;
    bad_utf8.replace(bad_utf8.find("\"title\":\"") + 9, 2, "\xC3\x28");
    CHECK(test::post_webhook(s.port, bad_utf8, {}).status == 400);
    test::WebhookOptions form;
    form.content_type = "application/x-www-form-urlencoded";
    CHECK(test::post_webhook(s.port, "payload=" + body, form).status == 400);
    test::WebhookOptions no_id;
    no_id.delivery_id = "bad id with spaces";
    CHECK(test::post_webhook(s.port, body, no_id).status == 400);
    // A client that stops sending mid-body: nothing stored, server unharmed.
    std::string req = test::webhook_request(body, {});
    test::http_raw(s.port, req.substr(0, req.size() - 100), 2s, true);
    // 30 MB: refused from Content-Length, before the signature is checked
    // (cpprestsdk sends the answer once the body has been read).
    std::string big_head = test::webhook_request("", {});
    big_head.replace(big_head.find("Content-Length: 0"), 17, "Content-Length: 31457280");
    auto big = test::http_raw(s.port, big_head + std::string(31457280, 'x'), 30s);
    CHECK(big.status == 413);
    CHECK(count(s, "deliveries") == "0");
    CHECK(test::post_webhook(s.port, body, {}).status == 202);
    CHECK(count(s, "deliveries") == "1");
    CHECK(s.server->metrics().counter("reviewer_webhook_rejected_total", {{"reason", "too_large"}}) == 1);
  }

  TEST_CASE("every example payload of the handled events is accepted over HTTP") {
    test::LiveServer s(test::scratch_dir("examples"), 2);
    int sent = 0;
    for (const char* event : {"pull_request", "issue_comment", "pull_request_review", "installation"}) {
      for (const auto& ex : test::webhook_examples(event)) {
        test::WebhookOptions o;
        o.event = event;
        auto r = test::post_webhook(s.port, ex.dump(), o);
        CAPTURE(event);
        CHECK(r.status == 202);
        ++sent;
      }
    }
    CHECK(count(s, "deliveries") == std::to_string(sent));
  }

  TEST_CASE("a newer synchronize supersedes the queued one over HTTP") {
    auto handler = std::make_shared<test::RecordingHandler>();
    handler->hold(true);
    test::LiveServer s(test::scratch_dir("supersede-http"), 1, handler);
    const std::string sha1(40, '1'), sha2(40, '2'), sha3(40, '3');
    CHECK(test::post_webhook(s.port, test::pull_request_payload("o/r", 5, sha1), {}).status == 202);
    REQUIRE(test::wait_until([&] { return s.server->queue().stats().jobs_by_state["leased"] == 1; }, 5s));
    CHECK(test::post_webhook(s.port, test::pull_request_payload("o/r", 5, sha2), {}).status == 202);
    CHECK(test::post_webhook(s.port, test::pull_request_payload("o/r", 5, sha3), {}).status == 202);
    handler->hold(false);
    REQUIRE(test::wait_until([&] { return handler->jobs().size() == 2; }, 10s));
    CHECK(handler->jobs()[0].head_sha == sha1);  // was running: told it is superseded
    CHECK(handler->jobs()[1].head_sha == sha3);  // sha2 never ran
    REQUIRE(test::wait_until([&] { return s.server->queue().stats().ended_total["done"] == 1; }, 5s));
    CHECK(test::query_one(s.settings.queue_db(), "SELECT COUNT(*) FROM jobs WHERE state='superseded'") == "2");
  }

  TEST_CASE("jobs run below the intake's priority; the threads they start inherit it") {
    auto handler = std::make_shared<PriorityHandler>();
    const int own = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
    test::LiveServer s(test::scratch_dir("nice"), 1, handler);
    CHECK(test::post_webhook(s.port, a_pull_request(), {}).status == 202);
    REQUIRE(test::wait_until([&] { return handler->ran.load(); }, 10s));
    CHECK(handler->worker == std::min(own + 10, 19));
    CHECK(handler->child == handler->worker.load());
    // The rest of the process keeps its priority.
    CHECK(getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())) == own);
  }
}
