#include <doctest/doctest.h>

#include "github_fixture.h"
#include "reviewer/github/placement.h"
#include "reviewer/github/publisher.h"
#include "reviewer/github/skipped.h"

using namespace reviewer;
using namespace reviewer::github;
using namespace reviewer::test;

TEST_SUITE("github::skipped") {
  TEST_CASE("nothing skipped says nothing") {
    auto r = sample_result(kHead, DecisionKind::approve);
    CHECK(skipped_section(r, 0, 30).empty());
  }

  TEST_CASE("binary, truncated, excluded files and the inline cap are named, with escaped paths") {
    auto r = sample_result(kHead, DecisionKind::comment);
    FileDiff bin;
    bin.new_path = "img/*logo*.png";
    bin.kind = ChangeKind::added;
    bin.binary = true;
    FileDiff big;
    big.new_path = big.old_path = "data/big.csv";
    big.truncated = true;
    FileDiff gen;
    gen.new_path = "vendor/x.js";
    gen.vendored = true;
    r.diff.files.push_back(bin);
    r.diff.files.push_back(big);
    r.diff.files.push_back(gen);
    std::string s = skipped_section(r, 12, 30);
    CHECK(s.find("#### Not reviewed in full") == 0);
    CHECK(s.find("1 binary file(s), not reviewed: img/\\*logo\\*.png") != std::string::npos);
    CHECK(s.find("1 file(s) over the per-file limit") != std::string::npos);
    CHECK(s.find("data/big.csv") != std::string::npos);
    CHECK(s.find("1 generated or vendored file(s)") != std::string::npos);
    CHECK(s.find("12 finding(s) beyond the 30 inline comments") != std::string::npos);
    CHECK(s.find("more than the 3000") == std::string::npos);
  }

  TEST_CASE("the placement counts findings held back only by the cap, and the review body says so") {
    std::vector<Finding> fs;
    for (int i = 0; i < 5; ++i) fs.push_back(finding("logic/n" + std::to_string(i), Severity::info, "src/app.cpp", 41));
    fs.push_back(finding("logic/outside", Severity::info, "src/app.cpp", 200));
    auto r = sample_result(kHead, DecisionKind::comment, fs);
    Placement p = place_findings(fs, r.diff, 2);
    CHECK(p.comments.size() == 2);
    CHECK(p.unplaced.size() == 4);
    CHECK(p.over_cap == 3);
    std::string body = review_body(r, p.unplaced, false, skipped_section(r, p.over_cap, 2));
    CHECK(body.find("3 finding(s) beyond the 2 inline comments") != std::string::npos);
  }

  TEST_CASE("the skipped section survives when the body is cut") {
    auto r = sample_result(kHead, DecisionKind::comment);
    r.walkthrough = std::string(100000, 'w');
    std::string body = review_body(r, {}, false, "#### Not reviewed in full\n\n- 1 binary file(s)\n");
    CHECK(body.size() <= 65000);
    CHECK(body.find("- 1 binary file(s)") != std::string::npos);
    CHECK(has_marker_for(body, kHead));
  }
}
