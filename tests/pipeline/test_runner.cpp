#include <doctest/doctest.h>

#include <thread>

#include "reviewer/pipeline/runner.h"
#include "support/fixtures.h"

using namespace reviewer;

namespace {

class FakeAgent : public Agent {
 public:
  enum class Mode { findings, throws, hangs, throws_int };
  FakeAgent(std::string name, Mode mode) : name_(std::move(name)), mode_(mode) {}
  std::string_view name() const override { return name_; }
  std::vector<Finding> review(const AgentContext& ctx) const override {
    switch (mode_) {
      case Mode::throws: throw std::runtime_error("could not parse the diff");
      case Mode::throws_int: throw 42;
      case Mode::hangs: std::this_thread::sleep_for(std::chrono::milliseconds(600)); break;
      case Mode::findings: break;
    }
    Finding f;
    f.rule = "fake/rule";
    f.severity = Severity::warning;
    f.path = ctx.diff.files.at(0).path();
    f.line = 1;
    f.message = "m";
    return {f, f};
  }

 private:
  std::string name_;
  Mode mode_;
};

std::shared_ptr<const AgentContext> context() {
  auto ctx = std::make_shared<AgentContext>();
  ctx->diff.files.push_back(test::file_with_lines("src/a.py", {"x = 1"}));
  ctx->guidance = load_guidance_texts({{"t.yml", "thresholds:\n  deadlines_ms:\n    default: 5000\n    slow: 50\n"}});
  return ctx;
}

}  // namespace

TEST_SUITE("pipeline::runner") {
  TEST_CASE("failures and timeouts are contained and reported per agent") {
    std::vector<std::shared_ptr<const Agent>> agents = {
        std::make_shared<FakeAgent>("good", FakeAgent::Mode::findings),
        std::make_shared<FakeAgent>("bad", FakeAgent::Mode::throws),
        std::make_shared<FakeAgent>("slow", FakeAgent::Mode::hangs),
        std::make_shared<FakeAgent>("weird", FakeAgent::Mode::throws_int),
    };
    auto t0 = std::chrono::steady_clock::now();
    auto reports = run_agents(agents, context());
    auto waited = std::chrono::steady_clock::now() - t0;
    REQUIRE(reports.size() == 4);
    CHECK(reports[0].name == "good");
    CHECK(reports[0].status == AgentStatus::ok);
    CHECK(reports[0].findings.size() == 2);
    CHECK(reports[1].status == AgentStatus::failed);
    CHECK(reports[1].error == "could not parse the diff");
    CHECK(reports[2].status == AgentStatus::timed_out);
    CHECK(reports[2].error == "no answer within 50 ms");
    CHECK(reports[3].status == AgentStatus::failed);
    CHECK(reports[3].error == "unknown exception");
    // The runner did not wait for the hung agent.
    CHECK(waited < std::chrono::milliseconds(500));
    CHECK(agents_abandoned());
    // Let the abandoned thread finish before the process exits.
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
  }

  TEST_CASE("finding ids are filled from the line content and made unique") {
    std::vector<std::shared_ptr<const Agent>> agents = {
        std::make_shared<FakeAgent>("good", FakeAgent::Mode::findings)};
    auto reports = run_agents(agents, context());
    REQUIRE(reports[0].findings.size() == 2);
    auto id = make_finding_id("fake/rule", "src/a.py", "x = 1");
    CHECK(reports[0].findings[0].id == id);
    CHECK(reports[0].findings[1].id == id + "-2");
  }
}
