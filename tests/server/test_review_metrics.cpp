#include <doctest/doctest.h>

#include "reviewer/core/metrics.h"

using namespace reviewer;
using reviewer::Metrics;

TEST_SUITE("server::review metrics") {
  TEST_CASE("a review adds its agents' durations and the model's calls, tokens and cost") {
    ReviewResult r;
    r.agents.push_back({"logic", AgentStatus::ok, 40, {}, "", std::nullopt});
    ModelSummary m;
    ModelCallRecord ok;
    ok.provider = "local";
    ok.kind = "chat";
    ok.outcome = "ok";
    ok.tokens_in = 1000;
    ok.tokens_out = 50;
    ok.cost_usd = 0.25;
    ModelCallRecord timeout = ok;
    timeout.outcome = "timeout";
    timeout.tokens_out = 0;
    ModelCallRecord tool;
    tool.kind = "tool";
    tool.outcome = "ok";
    m.records = {ok, timeout, tool};
    m.unavailable = false;
    r.model = m;
    Metrics metrics;
    record_review_metrics(metrics, r);
    CHECK(metrics.counter("reviewer_model_calls_total", {{"provider", "local"}, {"kind", "chat"}, {"outcome", "ok"}}) == 1);
    CHECK(metrics.counter("reviewer_model_calls_total",
                          {{"provider", "local"}, {"kind", "chat"}, {"outcome", "timeout"}}) == 1);
    CHECK(metrics.counter("reviewer_model_calls_total", {{"provider", "none"}, {"kind", "tool"}, {"outcome", "ok"}}) == 1);
    CHECK(metrics.counter("reviewer_model_tokens_total", {{"provider", "local"}, {"direction", "in"}}) == 2000);
    CHECK(metrics.counter("reviewer_model_tokens_total", {{"provider", "local"}, {"direction", "out"}}) == 50);
    CHECK(metrics.counter("reviewer_model_cost_usd_total", {{"provider", "local"}}) == doctest::Approx(0.5));
    CHECK(metrics.counter("reviewer_model_unavailable_total") == 0);
    const std::string text = metrics.render();
    CHECK(text.find("reviewer_agent_duration_seconds_count{agent=\"logic\"} 1") != std::string::npos);
    CHECK(text.find("# TYPE reviewer_model_cost_usd_total counter") != std::string::npos);

    ReviewResult down;
    down.model = ModelSummary{};
    down.model->unavailable = true;
    record_review_metrics(metrics, down);
    CHECK(metrics.counter("reviewer_model_unavailable_total") == 1);
  }
}
