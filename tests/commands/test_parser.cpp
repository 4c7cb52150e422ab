#include <doctest/doctest.h>

#include "reviewer/commands/parser.h"

using namespace reviewer::commands;
using Kind = Command::Kind;

namespace {

std::vector<Kind> kinds(const std::string& body, const std::string& mention = "reviewer-test") {
  std::vector<Kind> out;
  for (const auto& c : parse_commands(body, mention)) out.push_back(c.kind);
  return out;
}

}  // namespace

TEST_SUITE("commands::parser") {
  TEST_CASE("each command is read from the start of a line") {
    CHECK(kinds("/human-review") == std::vector{Kind::human_review});
    CHECK(kinds("/human-review cancel") == std::vector{Kind::human_review_cancel});
    CHECK(kinds("/HUMAN-REVIEW Cancel") == std::vector{Kind::human_review_cancel});
    CHECK(kinds("/review") == std::vector{Kind::review});
    CHECK(kinds("  /review  \r\n") == std::vector{Kind::review});
    CHECK(kinds("Looks risky.\n/human-review the migration needs a DBA\nthanks") == std::vector{Kind::human_review});
    auto c = parse_commands("/human-review the migration needs a DBA");
    REQUIRE(c.size() == 1);
    CHECK(c[0].reason == "the migration needs a DBA");
    CHECK(c[0].line == 1);
  }

  TEST_CASE("feedback takes a verdict, a finding id and an optional reason") {
    auto c = parse_commands("/feedback unhelpful 0123456789abcdef this is generated code\n/feedback helpful abcdef0123456789");
    REQUIRE(c.size() == 2);
    CHECK(c[0].kind == Kind::feedback);
    CHECK_FALSE(c[0].helpful);
    CHECK(c[0].finding_id == "0123456789abcdef");
    CHECK(c[0].reason == "this is generated code");
    CHECK(c[1].helpful);
    CHECK(c[1].finding_id == "abcdef0123456789");
    CHECK(c[1].line == 2);
  }

  TEST_CASE("commands inside quotes, fenced and indented code blocks, or mid-line are not commands") {
    CHECK(kinds("> /human-review") .empty());
    CHECK(kinds("  > /review").empty());
    CHECK(kinds("```\n/human-review\n```").empty());
    CHECK(kinds("~~~~\n/review\n~~~\n/review\n~~~~").empty());  // a shorter fence does not close a longer one
    CHECK(kinds("```sh\n/review\n```\n/review") == std::vector{Kind::review});
    CHECK(kinds("    /human-review").empty());
    CHECK(kinds("\t/human-review").empty());
    CHECK(kinds("please run /review now").empty());
    CHECK(kinds("`/review`").empty());
  }

  TEST_CASE("other bots' commands are ignored; unreadable ones addressed to us get help") {
    CHECK(kinds("/lgtm\n/hold\n/assign @bob").empty());
    CHECK(kinds("/reviewers").empty());
    CHECK(kinds("/reviewer help") == std::vector{Kind::unknown});
    CHECK(kinds("/review please") == std::vector{Kind::unknown});
    CHECK(kinds("/feedback maybe 0123456789abcdef") == std::vector{Kind::unknown});
    CHECK(kinds("/feedback helpful") == std::vector{Kind::unknown});
    CHECK(kinds("/feedback helpful bad/id") == std::vector{Kind::unknown});
    CHECK(kinds("@reviewer-test /frobnicate") == std::vector{Kind::unknown});
    CHECK(kinds("@Reviewer-Test[bot], /review") == std::vector{Kind::review});
    CHECK(kinds("@reviewer-tester /frobnicate").empty());  // someone else
    CHECK(kinds("@reviewer-test thanks!").empty());       // a mention, not a command
  }

  TEST_CASE("repeats are dropped and the number of commands is capped") {
    CHECK(kinds("/review\n/review\n/human-review\n/human-review") == std::vector{Kind::review, Kind::human_review});
    std::string many;
    for (int i = 0; i < 50; ++i) many += "/feedback helpful id" + std::to_string(i) + "\n";
    CHECK(parse_commands(many).size() == kMaxCommands);
  }

  TEST_CASE("huge or hostile bodies are scanned within the cap without failing") {
    std::string body(kMaxScanBytes, 'x');
    body += "\n/human-review";
    CHECK(parse_commands(body).empty());  // beyond the scanned prefix
    std::string fences;
    for (int i = 0; i < 10001; ++i) fences += "```\n";
    CHECK(parse_commands(fences + "/review").empty());           // an odd count leaves a fence open
    CHECK(parse_commands("```\n" + fences + "/review").size() == 1);  // an even count closes it
  }

  TEST_CASE("the help text lists every command") {
    std::string h = help_text();
    for (const char* c : {"/human-review", "/human-review cancel", "/review", "/feedback helpful", "/feedback unhelpful"}) {
      CHECK(h.find(c) != std::string::npos);
    }
  }
}
