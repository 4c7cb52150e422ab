// DESIGN.md: a secret found in a diff never reaches a model provider, and
// the model rows of the audit log hold only redacted text.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "fake_server.h"
#include "model_fixture.h"
#include "reviewer/pipeline/model_step.h"
#include "reviewer/pipeline/redaction.h"
#include "reviewer/pipeline/review.h"
#include "support/fixtures.h"

using namespace reviewer;

namespace {

// A provider pool pointing at `server`, which answers "no findings".
std::shared_ptr<model::ProviderPool> no_findings_pool(test::FakeServer& server) {
  server.respond([](const test::Received&) { return test::openai_text(R"({"findings":[]})"); });
  model::ModelConfig cfg;
  cfg.providers.push_back(test::provider_at("p", model::ProviderKind::openai, server.base_url()));
  return std::make_shared<model::ProviderPool>(cfg);
}

// A safety agent that answers, with no findings, after `delay`.
class LateSafety : public Agent {
 public:
  explicit LateSafety(std::chrono::milliseconds delay) : delay_(delay) {}
  std::string_view name() const override { return "safety"; }
  std::vector<Finding> review(const AgentContext&) const override {
    std::this_thread::sleep_for(delay_);
    return {};
  }

 private:
  std::chrono::milliseconds delay_;
};

PullRequest described(const std::string& title, const std::string& body) {
  PullRequest pr;
  pr.title = title;
  pr.body = body;
  return pr;
}

}  // namespace

TEST_SUITE("model::redaction") {
  TEST_CASE("a secret the safety agent found is never sent to the provider nor kept in the model rows") {
    // Not token-like (short alphanumeric runs): only the safety agent's
    // finding can hide it.
    const std::string password = std::string("s3cr3t-") + "Pa55w0rd!";
    Diff d;
    d.files.push_back(test::file_with_lines(
        "config/app.py", {"import os", "DATABASE_URL = \"postgres://app:" + password + "@db.internal:5432/app\"",
                          "TIMEOUT = 30"}));
    PullRequest pr;
    pr.title = "Point the app at the new database";
    pr.body = "Moves the connection string into config because ops asked for it.";
    test::FakeServer server;
    server.respond([](const test::Received&) { return test::openai_text(R"({"findings":[]})"); });
    model::ModelConfig cfg;
    cfg.providers.push_back(test::provider_at("p", model::ProviderKind::openai, server.base_url()));
    auto r = review_change({pr, d, load_guidance(), {}, "cli", Mode::dry_run, "", std::make_shared<model::ProviderPool>(cfg), {}});

    bool flagged = false;
    for (const auto& a : r.agents) {
      for (const auto& f : a.findings) flagged |= f.rule.starts_with("safety/secret/");
    }
    REQUIRE(flagged);
    const auto got = server.received();
    REQUIRE_FALSE(got.empty());
    for (const auto& req : got) {
      const std::string body = req.body.dump();
      CHECK(body.find(password) == std::string::npos);
      CHECK(body.find("TIMEOUT = 30") != std::string::npos);  // the rest of the change is still there
      CHECK(body.find("[redacted: safety/secret/") != std::string::npos);
    }
    REQUIRE(r.model);
    for (const auto& c : r.model->records) CHECK(c.prompt.find(password) == std::string::npos);
  }

  TEST_CASE("when the safety agent cannot judge, nothing is sent to a provider and the run is not approvable") {
    Diff d;
    d.files.push_back(test::file_with_lines("config/app.py", {"TOKEN = \"short-s3cret-1\"", "TIMEOUT = 30"}));
    test::FakeServer server;
    auto pool = no_findings_pool(server);
    Guidance g = load_guidance();
    g.document["safety"]["rules"] = 42;  // the safety agent fails compiling its rules
    g.version = "broken-safety-for-test";
    auto r = review_change({described("Tune the timeout", "Raises the timeout because the database is slow at night."),
                           d, g, {}, "cli", Mode::dry_run, "", pool, {}});
    auto safety = std::find_if(r.agents.begin(), r.agents.end(), [](const AgentReport& a) { return a.name == "safety"; });
    REQUIRE(safety != r.agents.end());
    CHECK(safety->status != AgentStatus::ok);
    CHECK(server.received().empty());
    REQUIRE(r.model);
    CHECK(r.model->unavailable);
    CHECK(r.decision.kind != DecisionKind::approve);
  }

  TEST_CASE("the model step sends nothing when safety answers after its deadline, and once it answers in time") {
    AgentContext ctx;
    ctx.diff.files.push_back(test::file_with_lines("src/app.py", {"def f():", "    return 1"}));
    ctx.pr = described("Add f", "Adds f because the caller needs a constant.");
    ctx.guidance = load_guidance_texts({{"t.yml", "thresholds:\n  deadlines_ms:\n    safety: 20\n"}});
    ctx.started = std::chrono::steady_clock::now();
    test::FakeServer server;
    ModelStep late(std::make_shared<LateSafety>(std::chrono::milliseconds(60)), no_findings_pool(server));
    CHECK(late.name() == "safety");
    CHECK(late.assess(ctx).findings.empty());
    ReviewResult r;
    late.finish(r, true);
    REQUIRE(r.model);
    CHECK(r.model->unavailable);
    CHECK(server.received().empty());

    ctx.started = std::chrono::steady_clock::now();
    ModelStep on_time(std::make_shared<LateSafety>(std::chrono::milliseconds(0)), no_findings_pool(server));
    on_time.assess(ctx);
    ReviewResult answered;
    on_time.finish(answered, true);
    REQUIRE(answered.model);
    CHECK_FALSE(answered.model->unavailable);
    CHECK_FALSE(server.received().empty());
  }

  TEST_CASE("with a model, the reports keep the rule agents' order and the model findings follow") {
    Diff d;
    d.files.push_back(test::file_with_lines("src/app.py", {"def f():", "    return 1"}));
    const PullRequest pr = described("Add f", "Adds f because the caller needs a constant.");
    test::FakeServer server;
    auto with_model = review_change({pr, d, load_guidance(), {}, "cli", Mode::dry_run, "", no_findings_pool(server), {}});
    auto without = review_change({pr, d, load_guidance(), {}, "cli", Mode::dry_run, "", nullptr, {}});
    REQUIRE(with_model.agents.size() >= without.agents.size());
    for (std::size_t i = 0; i < without.agents.size(); ++i) CHECK(with_model.agents[i].name == without.agents[i].name);
    CHECK(!server.received().empty());
  }

  TEST_CASE("for a model the redactor also masks flagged lines and token-like strings, keeping layout") {
    Diff d;
    d.files.push_back(test::file_with_lines("a.env", {"PASSWORD_LINE = short-but-flagged-9"}));
    Finding f;
    f.rule = "safety/secret/generic";
    f.path = "a.env";
    f.line = 1;
    AgentReport safety;
    safety.name = "safety";
    safety.findings = {f};
    Redactor r(load_guidance(), PullRequest{}, d, {safety});
    CHECK(r.model_text("x\n\tPASSWORD_LINE = short-but-flagged-9\ny") == "x\n\t[redacted: safety/secret/generic]\ny");
    CHECK(r.model_text("token ghp16CharsAndDigits1234567890 end") == "token [redacted] end");
    CHECK(r.model_diff(d).files[0].hunks[0].lines[0].content == "[redacted: safety/secret/generic]");
    Redactor none(load_guidance(), PullRequest{}, d, {});
    CHECK(none.model_text("PASSWORD_LINE = short-but-flagged-9") == "PASSWORD_LINE = short-but-flagged-9");
  }
}
