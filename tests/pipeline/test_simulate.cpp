// render_simulation: the report of `reviewer simulate`, from hand-built
// outcomes (tests/cli/test_cli_simulate.cpp runs real cases end to end).
#include <doctest/doctest.h>

#include "reviewer/pipeline/simulate.h"

using namespace reviewer;

namespace {

SimulationOutcome outcome(const std::string& name, DecisionKind got, std::optional<Risk> risk = std::nullopt) {
  SimulationOutcome o;
  o.c.name = name;
  o.c.expected = got;
  ReviewResult r;
  r.decision.kind = got;
  r.risk = std::move(risk);
  o.result = std::move(r);
  return o;
}

Risk risk(double probability, bool above) {
  Risk k;
  k.probability = probability;
  k.threshold = 0.25;
  k.above_threshold = above;
  return k;
}

}  // namespace

TEST_SUITE("pipeline::simulate report") {
  TEST_CASE("each case shows its revert risk and whether it was above the threshold") {
    std::vector<SimulationOutcome> outcomes = {outcome("risky", DecisionKind::needs_human, risk(0.4213, true)),
                                               outcome("calm", DecisionKind::approve, risk(0.031, false)),
                                               outcome("unscored", DecisionKind::comment)};
    std::string out = render_simulation(outcomes, nullptr);
    CHECK(out.find("risky: needs_human  risk 42.1% (above 25.0%)\n") != std::string::npos);
    CHECK(out.find("calm: approve  risk 3.1% (below 25.0%)\n") != std::string::npos);
    CHECK(out.find("unscored: comment\n") != std::string::npos);
    CHECK(out.find("2 cases with a revert-risk estimate, 1 above the threshold\n") != std::string::npos);
  }

  TEST_CASE("a simulation without any risk estimate says nothing about risk") {
    std::string out = render_simulation({outcome("plain", DecisionKind::approve)}, nullptr);
    CHECK(out.find("plain: approve\n") == 0);
    CHECK(out.find("risk") == std::string::npos);
  }
}
