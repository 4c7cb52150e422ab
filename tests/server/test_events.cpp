#include <doctest/doctest.h>

#include "reviewer/core/error.h"
#include "reviewer/github/webhook.h"
#include "reviewer/server/json_scan.h"
#include "server_fixture.h"

using namespace reviewer;
using namespace reviewer::github;
using reviewer::server::parse_filtered;

TEST_SUITE("github::webhook") {
  TEST_CASE("every pull_request, issue_comment, pull_request_review and installation example parses") {
    int parsed = 0;
    for (const char* event : {"pull_request", "issue_comment", "pull_request_review", "installation"}) {
      auto examples = test::webhook_examples(event);
      REQUIRE(!examples.empty());
      for (const auto& ex : examples) {
        CAPTURE(event);
        CAPTURE(ex.value("action", ""));
        Classified c;
        CHECK_NOTHROW(c = classify_webhook(event, ex));
        CHECK(c.action == ex.value("action", ""));
        ++parsed;
      }
    }
    CHECK(parsed >= 49);
  }

  TEST_CASE("a payload filtered to what classify reads classifies exactly like the whole payload") {
    int compared = 0;
    for (const char* event :
         {"pull_request", "issue_comment", "pull_request_review", "installation", "check_run", "check_suite"}) {
      auto examples = test::webhook_examples(event);
      if (std::string(event).rfind("check_", 0) == 0) {
        // Re-run requests of our own check: the case classify_webhook() reads most of.
        for (auto ex : std::vector<nlohmann::json>(examples)) {
          if (ex.value("action", "") != "rerequested") continue;
          if (std::string(event) == "check_run") ex["check_run"]["name"] = "reviewer";
          examples.push_back(ex);
        }
      }
      for (const auto& ex : examples) {
        CAPTURE(event);
        CAPTURE(ex.value("action", ""));
        auto filtered = parse_filtered(ex.dump(), classify_webhook_reads);
        REQUIRE(filtered);
        CHECK(filtered->dump().size() < ex.dump().size());
        Classified whole = classify_webhook(event, ex);
        Classified part = classify_webhook(event, *filtered);
        CHECK(part.action == whole.action);
        CHECK(part.repository == whole.repository);
        REQUIRE(part.job.has_value() == whole.job.has_value());
        if (whole.job) {
          CHECK(part.job->kind == whole.job->kind);
          CHECK(part.job->repository == whole.job->repository);
          CHECK(part.job->pr_number == whole.job->pr_number);
          CHECK(part.job->head_sha == whole.job->head_sha);
        }
        if (std::string(event) == "pull_request") {
          auto a = parse_pull_request_event(ex), b = parse_pull_request_event(*filtered);
          CHECK(a.title == b.title);
          CHECK(a.body == b.body);
          CHECK(a.labels == b.labels);
          CHECK(a.author == b.author);
          CHECK(a.draft == b.draft);
          CHECK(a.installation_id == b.installation_id);
        }
        ++compared;
      }
    }
    CHECK(compared >= 49);
  }

  TEST_CASE("pull_request examples yield their number, title, labels and shas") {
    for (const auto& ex : test::webhook_examples("pull_request")) {
      PullRequestEvent e = parse_pull_request_event(ex);
      CHECK(e.number == ex["pull_request"]["number"].get<std::int64_t>());
      CHECK(e.title == ex["pull_request"]["title"].get<std::string>());
      CHECK(e.head_sha == ex["pull_request"]["head"]["sha"].get<std::string>());
      CHECK(e.base_sha == ex["pull_request"]["base"]["sha"].get<std::string>());
      CHECK(e.repository == ex["repository"]["full_name"].get<std::string>());
      CHECK(e.labels.size() == ex["pull_request"]["labels"].size());
      Classified c = classify_webhook("pull_request", ex);
      const std::string action = ex["action"];
      const bool reviews = action == "opened" || action == "synchronize" || action == "reopened" ||
                           action == "ready_for_review" || action == "edited";
      CHECK(c.job.has_value() == (reviews || action == "closed"));
      if (c.job && reviews) {
        CHECK(c.job->kind == "review");
        CHECK(c.job->supersedes);
        CHECK(c.job->pr_number == e.number);
      }
      if (c.job && ex.contains("installation")) CHECK(c.job->installation == ex["installation"]["id"].get<std::int64_t>());
      if (c.job && !reviews) {
        // closed: a lifecycle job (merged or closed, revert links), no review,
        // and it must not supersede a review still running.
        CHECK(c.job->kind == "pull_request");
        CHECK(!c.job->supersedes);
        CHECK(c.job->pr_number == e.number);
      }
    }
  }

  TEST_CASE("comments on pull requests make jobs, comments on issues do not") {
    int on_pr = 0, on_issue = 0;
    for (const auto& ex : test::webhook_examples("issue_comment")) {
      Classified c = classify_webhook("issue_comment", ex);
      const bool pr = ex["issue"].contains("pull_request");
      if (pr && ex["action"] != "deleted") {
        ++on_pr;
        REQUIRE(c.job);
        CHECK(c.job->kind == "comment");
      } else {
        ++on_issue;
        CHECK(!c.job);
      }
    }
    CHECK(on_pr + on_issue == 9);
  }

  TEST_CASE("malformed payloads are clear errors naming the field") {
    auto pr = test::webhook_examples("pull_request").at(0);
    auto error_of = [](const std::string& event, const nlohmann::json& j) -> std::string {
      try {
        classify_webhook(event, j);
      } catch (const Error& e) {
        CHECK(e.code() == Error::Code::invalid_input);
        return e.what();
      }
      return "";
    };
    auto p = pr;
    p["pull_request"].erase("head");
    CHECK(error_of("pull_request", p) == "webhook payload: 'pull_request.head' is missing");
    p = pr;
    p["pull_request"]["number"] = "12";
    CHECK(error_of("pull_request", p) == "webhook payload: 'pull_request.number' is not an integer");
    p = pr;
    p["pull_request"]["head"]["sha"] = "../../etc/passwd";
    CHECK(error_of("pull_request", p) == "webhook payload: 'pull_request.head.sha' is not a 40-digit commit sha");
    CHECK(error_of("pull_request", nlohmann::json::array()) == "webhook payload: the body is not a JSON object");
    CHECK(error_of("issue_comment", nlohmann::json::object({{"action", "created"}})) ==
          "webhook payload: 'issue' is missing");
    // Events the bot does not handle are not inspected beyond the basics.
    CHECK(!classify_webhook("star", nlohmann::json::object({{"action", "created"}})).job);
  }
}
