#include <doctest/doctest.h>

#include "fake_server.h"
#include "model_fixture.h"
#include "reviewer/model/router.h"

using namespace reviewer;
using namespace reviewer::model;

namespace {

using Clock = std::chrono::steady_clock;

ChatRequest request() {
  ChatRequest r;
  r.system = "s";
  r.messages.push_back({Message::Role::user, "hello", {}, {}});
  return r;
}

ModelConfig two_providers(const test::FakeServer& a, const test::FakeServer& b, int timeout_ms = 2000) {
  ModelConfig cfg;
  cfg.providers.push_back(test::provider_at("primary", ProviderKind::openai, a.base_url(), timeout_ms));
  cfg.providers.push_back(test::provider_at("backup", ProviderKind::anthropic, b.base_url(), timeout_ms));
  return cfg;
}

std::vector<std::string> outcomes(const ModelUsage& u) {
  std::vector<std::string> out;
  for (const auto& c : u.calls) out.push_back(c.provider + ":" + c.outcome);
  return out;
}

}  // namespace

TEST_SUITE("model::router") {
  TEST_CASE("the token estimate is one token per three bytes, rounded up") {
    CHECK(estimate_tokens(std::size_t{0}) == 0);
    CHECK(estimate_tokens(std::size_t{1}) == 1);
    CHECK(estimate_tokens(std::size_t{3}) == 1);
    CHECK(estimate_tokens(std::size_t{10}) == 4);
  }

  TEST_CASE("a 500 fails over to the next provider, and the call records tokens, cost and latency") {
    test::FakeServer a, b;
    a.script({test::http_status(500)});
    b.script({test::anthropic_text("{\"findings\":[]}", 1000, 100)});
    Router router(std::make_shared<ProviderPool>(two_providers(a, b)));
    auto reply = router.chat(request(), {"logic", "logic@1", "abc"});
    REQUIRE(reply);
    auto u = router.usage();
    CHECK(outcomes(u) == std::vector<std::string>{"primary:http-5xx", "backup:ok"});
    CHECK(u.calls[1].tokens_in == 1000);
    CHECK(u.calls[1].tokens_out == 100);
    CHECK(u.calls[1].cost_usd == doctest::Approx((1000 * 2.0 + 100 * 8.0) / 1e6));
    CHECK(u.calls[1].template_version == "logic@1");
    CHECK(u.calls[1].prompt_hash == "abc");
    CHECK(u.chat_calls() == 2);
    CHECK(u.failures() == 1);
    CHECK(u.used());
    CHECK_FALSE(u.unavailable);
  }

  TEST_CASE("a 429 with retry-after fails over, and the provider rests until retry-after has passed") {
    test::FakeServer a, b;
    a.script({test::http_status(429, {{"retry-after", "30"}}), test::openai_text("{}")});
    b.script({test::anthropic_text("{}")});
    auto pool = std::make_shared<ProviderPool>(two_providers(a, b));
    Router router(pool);
    REQUIRE(router.chat(request(), {}));
    REQUIRE(router.chat(request(), {}));
    CHECK(outcomes(router.usage()) ==
          std::vector<std::string>{"primary:rate-limited", "backup:ok", "primary:circuit-open", "backup:ok"});
    CHECK(a.received().size() == 1);
  }

  TEST_CASE("with one provider, a short retry-after is waited out once and honoured") {
    test::FakeServer a;
    a.script({test::http_status(429, {{"retry-after", "1"}}), test::openai_text("{}")});
    ModelConfig cfg;
    cfg.providers.push_back(test::provider_at("only", ProviderKind::openai, a.base_url()));
    Router router(std::make_shared<ProviderPool>(cfg));
    const auto t0 = Clock::now();
    REQUIRE(router.chat(request(), {}));
    CHECK(Clock::now() - t0 >= std::chrono::milliseconds(950));
    CHECK(outcomes(router.usage()) == std::vector<std::string>{"only:rate-limited", "only:ok"});
  }

  TEST_CASE("a hang past the timeout fails over quickly; malformed replies fail over too") {
    test::FakeServer a, b;
    a.script({{200, test::openai_text("{}").body, {}, 5000}, {200, "<html>", {}, 0}});
    b.script({test::anthropic_text("{}")});
    Router router(std::make_shared<ProviderPool>(two_providers(a, b, 300)));
    const auto t0 = Clock::now();
    REQUIRE(router.chat(request(), {}));
    CHECK(Clock::now() - t0 < std::chrono::milliseconds(3000));
    REQUIRE(router.chat(request(), {}));
    CHECK(outcomes(router.usage()) ==
          std::vector<std::string>{"primary:timeout", "backup:ok", "primary:malformed", "backup:ok"});
    // A timed-out prompt may be billed: its estimated input is charged.
    CHECK(router.usage().calls[0].tokens_in > 0);
  }

  TEST_CASE("when every provider fails the model is unavailable and nothing is returned") {
    test::FakeServer a, b;
    a.script({test::http_status(500)});
    b.script({test::http_status(503)});
    Router router(std::make_shared<ProviderPool>(two_providers(a, b)));
    CHECK_FALSE(router.chat(request(), {}));
    auto u = router.usage();
    CHECK(u.unavailable);
    CHECK_FALSE(u.used());
    CHECK(u.failures() == 2);
  }

  TEST_CASE("the circuit opens after consecutive failures and skips the provider while open") {
    test::FakeServer a, b;
    a.script({test::http_status(502)});
    b.script({test::anthropic_text("{}")});
    auto cfg = two_providers(a, b);
    cfg.breaker_threshold = 2;
    auto pool = std::make_shared<ProviderPool>(cfg);
    for (int i = 0; i < 4; ++i) {
      Router router(pool);  // a new review each time: the breaker outlives it
      REQUIRE(router.chat(request(), {}));
    }
    CHECK(a.received().size() == 2);
    CHECK(pool->health(0).consecutive_failures == 2);
    CHECK(pool->health(1).successes == 4);
  }

  TEST_CASE("the per-review budget in tokens and in dollars stops calls before they are sent") {
    test::FakeServer a, b;
    a.script({test::openai_text("{}", 100, 20)});
    b.script({test::anthropic_text("{}")});
    auto cfg = two_providers(a, b);
    cfg.budget.tokens_per_review = 510;  // 500 output tokens reserved + a tiny prompt fits once
    Router router(std::make_shared<ProviderPool>(cfg));
    REQUIRE(router.chat(request(), {}));
    CHECK_FALSE(router.chat(request(), {}));
    CHECK(outcomes(router.usage()) ==
          std::vector<std::string>{"primary:ok", "primary:budget", "backup:budget"});
    CHECK(a.received().size() == 1);
    CHECK(b.received().empty());

    auto cfg2 = two_providers(a, b);
    cfg2.budget.usd_per_review = 0.0001;  // 500 output tokens at $8/Mtok alone cost $0.004
    Router poor(std::make_shared<ProviderPool>(cfg2));
    CHECK_FALSE(poor.chat(request(), {}));
    CHECK(a.received().size() == 1);
  }
}
