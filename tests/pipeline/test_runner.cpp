#include <doctest/doctest.h>

#include <atomic>
#include <stop_token>
#include <thread>

#include "reviewer/core/error.h"
#include "reviewer/pipeline/runner.h"
#include "support/fixtures.h"

using namespace reviewer;

namespace {

class FakeAgent : public Agent {
 public:
  enum class Mode { findings, throws, hangs, throws_int, throws_late, waits };
  FakeAgent(std::string name, Mode mode, std::atomic<bool>* returned = nullptr)
      : name_(std::move(name)), mode_(mode), returned_(returned) {}
  std::string_view name() const override { return name_; }
  std::vector<Finding> review(const AgentContext& ctx) const override {
    switch (mode_) {
      case Mode::throws: throw std::runtime_error("could not parse the diff");
      case Mode::throws_int: throw 42;
      case Mode::hangs: {
        // Works in small steps and checks the deadline between them, as
        // agents must; gives up after 600 ms at most.
        const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(600);
        while (!ctx.deadline.expired() && std::chrono::steady_clock::now() < until) {
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        if (returned_) *returned_ = true;
        throw Error(Error::Code::timeout, "slow: stopped at the deadline");
      }
      case Mode::throws_late:
        // Past its 50 ms deadline, fails with an error of its own.
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        throw std::runtime_error("lost the connection");
      case Mode::waits: std::this_thread::sleep_for(std::chrono::milliseconds(250)); break;
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
  std::atomic<bool>* returned_;
};

AgentContext context() {
  AgentContext ctx;
  ctx.diff.files.push_back(test::file_with_lines("src/a.py", {"x = 1"}));
  ctx.guidance = load_guidance_texts(
      {{"t.yml", "thresholds:\n  deadlines_ms:\n    default: 5000\n    slow: 50\n    late: 50\n"}});
  return ctx;
}

}  // namespace

TEST_SUITE("pipeline::runner") {
  TEST_CASE("failures and timeouts are contained and reported per agent") {
    std::atomic<bool> slow_returned{false};
    std::vector<std::shared_ptr<const Agent>> agents = {
        std::make_shared<FakeAgent>("good", FakeAgent::Mode::findings),
        std::make_shared<FakeAgent>("bad", FakeAgent::Mode::throws),
        std::make_shared<FakeAgent>("slow", FakeAgent::Mode::hangs, &slow_returned),
        std::make_shared<FakeAgent>("weird", FakeAgent::Mode::throws_int),
    };
    auto ctx = context();
    auto t0 = std::chrono::steady_clock::now();
    auto reports = run_agents(agents, ctx);
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
    // Nor did it leave the hung agent's thread behind: it was asked to stop
    // and joined before run_agents returned.
    CHECK(slow_returned.load());
  }

  TEST_CASE("an agent that throws after its deadline is timed_out, not failed") {
    std::vector<std::shared_ptr<const Agent>> agents = {
        std::make_shared<FakeAgent>("patient", FakeAgent::Mode::waits),
        std::make_shared<FakeAgent>("late", FakeAgent::Mode::throws_late),
    };
    auto ctx = context();
    auto reports = run_agents(agents, ctx);
    REQUIRE(reports.size() == 2);
    CHECK(reports[0].status == AgentStatus::ok);
    // The runner was still waiting for "patient" when "late" threw: its
    // answer is in, but past its 50 ms deadline.
    CHECK(reports[1].status == AgentStatus::timed_out);
    CHECK(reports[1].error == "lost the connection");
  }

  TEST_CASE("a stop asked by the caller (serve shutting down) reaches the agents, which are joined") {
    std::atomic<bool> returned{false};
    // "careful" has the 5 s default deadline: only the caller's stop ends it early.
    std::vector<std::shared_ptr<const Agent>> agents = {
        std::make_shared<FakeAgent>("careful", FakeAgent::Mode::hangs, &returned)};
    auto ctx = context();
    std::stop_source caller;
    ctx.deadline.stop = caller.get_token();
    std::jthread stopper([&caller] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      caller.request_stop();
    });
    const auto t0 = std::chrono::steady_clock::now();
    auto reports = run_agents(agents, ctx);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(500));
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].status == AgentStatus::timed_out);  // never approvable
    CHECK(returned.load());
  }

  TEST_CASE("an agent that throws before its deadline has failed") {
    std::vector<std::shared_ptr<const Agent>> agents = {std::make_shared<FakeAgent>("bad", FakeAgent::Mode::throws)};
    auto ctx = context();
    auto reports = run_agents(agents, ctx);
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].status == AgentStatus::failed);
  }

  TEST_CASE("finding ids are filled from the line content and made unique") {
    std::vector<std::shared_ptr<const Agent>> agents = {
        std::make_shared<FakeAgent>("good", FakeAgent::Mode::findings)};
    auto ctx = context();
    auto reports = run_agents(agents, ctx);
    REQUIRE(reports[0].findings.size() == 2);
    auto id = make_finding_id("fake/rule", "src/a.py", "x = 1");
    CHECK(reports[0].findings[0].id == id);
    CHECK(reports[0].findings[1].id == id + "-2");
  }
}
