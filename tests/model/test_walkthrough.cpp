// The model-written walkthrough: opt-in, validated, escaped, with the
// deterministic summary as the fallback.
#include <doctest/doctest.h>

#include "fake_server.h"
#include "model_fixture.h"
#include "reviewer/model/walkthrough.h"
#include "reviewer/pipeline/review.h"
#include "reviewer/report/render.h"
#include "support/fixtures.h"

using namespace reviewer;

namespace {

Diff small_change() {
  Diff d;
  d.files.push_back(test::file_with_lines("src/util.py", {"def helper(x):", "    return x + 1"}));
  return d;
}

bool is_summary_call(const test::Received& r) {
  const std::string system = r.body["messages"][0]["content"];
  return system.find("You write the walkthrough") != std::string::npos;
}

std::shared_ptr<model::ProviderPool> pool_for(test::FakeServer& server, bool walkthrough) {
  model::ModelConfig cfg;
  cfg.providers.push_back(test::provider_at("p", model::ProviderKind::openai, server.base_url()));
  cfg.walkthrough = walkthrough;
  return std::make_shared<model::ProviderPool>(cfg);
}

PullRequest pr_titled(const std::string& title) {
  PullRequest pr;
  pr.title = title;
  pr.body = "Adds a helper that increments, because callers repeat it.";
  return pr;
}

}  // namespace

TEST_SUITE("model::walkthrough") {
  TEST_CASE("answers must be 1 to 8 strings; bullets are cleaned and capped") {
    auto ok = model::parse_walkthrough(R"j({"walkthrough":["Adds helper()", "Line\nbreak"]})j");
    REQUIRE(ok);
    CHECK(*ok == std::vector<std::string>{"Adds helper()", "Line break"});
    auto fenced = model::parse_walkthrough("```json\n{\"walkthrough\":[\"x\"]}\n```");
    REQUIRE(fenced);
    auto long_bullet = model::parse_walkthrough(R"({"walkthrough":[")" + std::string(400, 'a') + R"("]})");
    REQUIRE(long_bullet);
    CHECK(long_bullet->front().size() <= 303);
    CHECK_FALSE(model::parse_walkthrough(R"({"walkthrough":[]})"));
    CHECK_FALSE(model::parse_walkthrough(R"({"walkthrough":[1,2]})"));
    CHECK_FALSE(model::parse_walkthrough(R"({"walkthrough":["a","b","c","d","e","f","g","h","i"]})"));
    CHECK_FALSE(model::parse_walkthrough(R"({"findings":[]})"));
    CHECK_FALSE(model::parse_walkthrough("APPROVED"));
  }

  TEST_CASE("with walkthrough on, the review's walkthrough is the model's, escaped in Markdown") {
    test::FakeServer server;
    server.respond([](const test::Received& r) {
      if (is_summary_call(r)) {
        return test::openai_text(
            R"j({"walkthrough":["Adds helper() in src/util.py <script>alert(1)</script>", "Ping @security-team and [click](http://evil)"]})j");
      }
      return test::openai_text(R"({"findings":[]})");
    });
    auto r = review_change({pr_titled("Add a helper"), small_change(), load_guidance(), {}, "cli", Mode::dry_run, "",
                           pool_for(server, true), {}});
    REQUIRE(r.model_walkthrough.size() == 2);
    const std::string md = render_markdown(r);
    CHECK(md.find("- Adds helper() in src/util.py &lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
    CHECK(md.find("@security-team") == std::string::npos);
    CHECK(md.find("\\[click\\](http://evil)") != std::string::npos);
    CHECK(md.find("Written by a language model") != std::string::npos);
    CHECK(render_json(r)["model_walkthrough"].size() == 2);
    bool summary_recorded = false;
    for (const auto& c : r.model->records) summary_recorded |= c.agent == "summary" && c.outcome == "ok";
    CHECK(summary_recorded);
  }

  TEST_CASE("an invalid walkthrough answer keeps the deterministic walkthrough") {
    test::FakeServer server;
    server.respond([](const test::Received& r) {
      if (is_summary_call(r)) return test::openai_text("I approve this PR.");
      return test::openai_text(R"({"findings":[]})");
    });
    auto r = review_change({pr_titled("Add a helper"), small_change(), load_guidance(), {}, "cli", Mode::dry_run, "",
                           pool_for(server, true), {}});
    CHECK(r.model_walkthrough.empty());
    CHECK_FALSE(r.walkthrough.empty());
    CHECK(render_markdown(r).find("Written by a language model") == std::string::npos);
    int summary_calls = 0;
    for (const auto& got : server.received()) summary_calls += is_summary_call(got) ? 1 : 0;
    CHECK(summary_calls == 2);  // one retry, then the call counts as failed
  }

  TEST_CASE("walkthrough is off unless the model config turns it on") {
    test::FakeServer server;
    server.respond([](const test::Received&) { return test::openai_text(R"({"findings":[]})"); });
    auto r = review_change({pr_titled("Add a helper"), small_change(), load_guidance(), {}, "cli", Mode::dry_run, "",
                           pool_for(server, false), {}});
    CHECK(r.model_walkthrough.empty());
    for (const auto& got : server.received()) CHECK_FALSE(is_summary_call(got));
    CHECK(model::parse_model_config("providers:\n  - {name: a, kind: openai, base_url: 'https://x', model: m}\n"
                                    "walkthrough: true\n", "m.yml").walkthrough);
  }
}
