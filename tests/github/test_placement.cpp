#include <doctest/doctest.h>

#include "github_fixture.h"
#include "reviewer/github/labels.h"
#include "reviewer/github/placement.h"

using namespace reviewer;
using namespace reviewer::github;
using namespace reviewer::test;

TEST_SUITE("github::place_findings") {
  const Diff diff = sample_diff(kHead);

  TEST_CASE("added and context lines are placed on the RIGHT side") {
    auto p = place_findings({finding("r/a", Severity::warning, "src/app.cpp", 11),
                             finding("r/b", Severity::warning, "src/app.cpp", 13)},
                            diff);
    REQUIRE(p.comments.size() == 2);
    CHECK(p.unplaced.empty());
    CHECK(p.comments[0].path == "src/app.cpp");
    CHECK(p.comments[0].line == 11);
    CHECK(p.comments[0].side == "RIGHT");
    CHECK(p.comments[0].start_line == 0);
    CHECK(p.comments[1].line == 13);  // a context line
    CHECK(p.comments[0].body.find("<!-- reviewer:finding=" + p.comments[0].finding_id + " -->") != std::string::npos);
  }

  TEST_CASE("lines of a deleted file are placed on the LEFT side") {
    auto p = place_findings({finding("r/a", Severity::info, "gone.txt", 2)}, diff);
    REQUIRE(p.comments.size() == 1);
    CHECK(p.comments[0].path == "gone.txt");
    CHECK(p.comments[0].side == "LEFT");
    CHECK(p.comments[0].line == 2);
  }

  TEST_CASE("findings on a path the redactor masked stay in the review body") {
    Diff masked = diff;
    for (auto& f : masked.files) {
      if (f.new_path == "src/app.cpp") f.path_redacted = true;  // GitHub knows no file by the masked name
    }
    auto p = place_findings({finding("r/a", Severity::warning, "src/app.cpp", 11)}, masked);
    CHECK(p.comments.empty());
    REQUIRE(p.unplaced.size() == 1);
    CHECK(p.unplaced[0].rule == "r/a");
  }

  TEST_CASE("renamed files are addressed by their new path") {
    auto p = place_findings({finding("r/a", Severity::error, "new/name.h", 5),
                             finding("r/b", Severity::error, "old/name.h", 5)},
                            diff);
    REQUIRE(p.comments.size() == 1);
    CHECK(p.comments[0].path == "new/name.h");
    REQUIRE(p.unplaced.size() == 1);
    CHECK(p.unplaced[0].path == "old/name.h");
  }

  TEST_CASE("ranges inside one hunk use start_line; ranges across hunks shrink to their first line") {
    auto p = place_findings({finding("r/a", Severity::warning, "src/app.cpp", 11, 13),
                             finding("r/b", Severity::warning, "src/app.cpp", 12, 41)},
                            diff);
    REQUIRE(p.comments.size() == 2);
    CHECK(p.comments[0].start_line == 11);
    CHECK(p.comments[0].start_side == "RIGHT");
    CHECK(p.comments[0].line == 13);
    CHECK(p.comments[1].start_line == 0);
    CHECK(p.comments[1].line == 12);
  }

  TEST_CASE("lines outside the hunks, unknown files and PR-level findings are unplaced; shadow findings vanish") {
    Finding shadow = finding("r/s", Severity::error, "src/app.cpp", 11);
    shadow.shadow = true;
    auto p = place_findings({finding("r/a", Severity::warning, "src/app.cpp", 20),   // between hunks
                             finding("r/b", Severity::warning, "src/other.cpp", 1),  // not in the diff
                             finding("r/c", Severity::warning, "", 0),               // PR-level
                             finding("r/d", Severity::warning, "src/app.cpp", 11), shadow},
                            diff);
    CHECK(p.comments.size() == 1);
    CHECK(p.unplaced.size() == 3);
  }

  TEST_CASE("finding text cannot mention people or forge markers in a comment") {
    Finding f = finding("r/a", Severity::warning, "src/app.cpp", 11);
    f.message = "ping @everyone <!-- reviewer:run=x head=y --> [link](http://x)";
    std::string body = comment_body(f);
    CHECK(body.find("@everyone") == std::string::npos);
    CHECK(body.find("<!-- reviewer:run") == std::string::npos);
    CHECK(body.find("[link]") == std::string::npos);
    CHECK(body.rfind("<!-- reviewer:finding=") != std::string::npos);
  }

  TEST_CASE("no more than the cap are placed inline; the rest are unplaced in order") {
    std::vector<Finding> many;
    for (int i = 0; i < 5; ++i) many.push_back(finding("r/" + std::to_string(i), Severity::info, "src/app.cpp", 11));
    auto p = place_findings(many, diff, 3);
    CHECK(p.comments.size() == 3);
    REQUIRE(p.unplaced.size() == 2);
    CHECK(p.unplaced[0].rule == "r/3");
  }
}

TEST_SUITE("github::labels") {
  TEST_CASE("wanted labels follow the size and the decision") {
    auto r = sample_result(kHead, DecisionKind::approve);
    CHECK(wanted_labels(r) == std::vector<std::string>{"size/XS", "reviewer: approved"});
    r.decision.kind = DecisionKind::needs_human;
    CHECK(wanted_labels(r) == std::vector<std::string>{"size/XS", "reviewer: needs-human"});
    r.decision.kind = DecisionKind::comment;
    CHECK(wanted_labels(r) == std::vector<std::string>{"size/XS"});
  }

  TEST_CASE("stale labels of our families are removed, others kept, present ones not re-added") {
    auto c = reconcile_labels({"size/L", "bug", "reviewer: approved", "size/XS"}, {"size/XS", "reviewer: needs-human"});
    CHECK(c.add == std::vector<std::string>{"reviewer: needs-human"});
    CHECK(c.remove == std::vector<std::string>{"size/L", "reviewer: approved"});
  }
}
