// The review flow without GitHub credentials (dry-run only): pull requests
// are reviewed from an existing local mirror, <data_dir>/mirrors/<owner>/
// <name>.git, as the payload describes them; nothing is fetched or sent,
// and the would-be posts are logged and audited.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include "app_fixture.h"
#include "audit/store.h"
#include "reviewer/app/handler.h"
#include "reviewer/git/builder.h"
#include "reviewer/app/log.h"
#include "reviewer/core/metrics.h"
#include "server_fixture.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::server;

namespace {

Job review_job(const std::string& payload) {
  Job j;
  j.id = 1;
  j.delivery_id = "d-1";
  j.event = "pull_request";
  j.kind = "review";
  j.payload = payload;
  j.superseded = [] { return false; };
  return j;
}

// A pull_request payload pointing at `base` and `head` of `repo`.
std::string payload_for(const std::string& repo, const std::string& base, const std::string& head) {
  auto p = nlohmann::json::parse(test::pull_request_payload(repo, 12, head, "opened"));
  p["pull_request"]["base"]["sha"] = base;
  p["pull_request"]["title"] = "Add a greeting";
  p["pull_request"]["draft"] = false;
  return p.dump();
}

// The handler `serve` runs without credentials: mirrors under `data_dir`.
std::shared_ptr<JobHandler> local_handler(const std::filesystem::path& data_dir,
                                          std::shared_ptr<audit::AuditStore> audit, app::JsonLog& log, Metrics& metrics) {
  app::AppHandlerOptions o;
  o.data_dir = data_dir;
  o.audit_db = data_dir / "audit.db";
  return app::make_github_handler(o, std::move(audit), log, metrics);
}

}  // namespace

TEST_SUITE("app::review_flow without credentials") {
  TEST_CASE("without a mirror the job fails with a clear reason and nothing is approved") {
    auto dir = test::scratch_dir("nomirror");
    app::JsonLog log(std::fopen((dir / "log").c_str(), "w"));
    Metrics metrics;
    auto h = local_handler(dir, nullptr, log, metrics);
    auto r = h->handle(review_job(test::pull_request_payload("octo/repo", 3, std::string(40, 'a'))), {});
    CHECK(r.status == JobResult::Status::failed);
    CHECK(r.detail.find("no local mirror at") != std::string::npos);
    CHECK(r.run_id.empty());
  }

  TEST_CASE("with a mirror the pull request is reviewed, audited, and the would-be posts are logged") {
    auto dir = test::scratch_dir("mirror");
    auto repo = git::RepoBuilder::create(dir / "mirrors/octo/repo.git", true);
    auto base = repo.commit("main", "", {{"README.md", {"hello\n"}}}, "init");
    auto head = repo.commit("feature", base, {{"src/greet.py", {"print('hi')\n"}}}, "Add a greeting");
    std::FILE* f = std::fopen((dir / "log").c_str(), "w");
    app::JsonLog log(f);
    Metrics metrics;
    std::shared_ptr<audit::AuditStore> store = audit::AuditStore::open(dir / "audit.db");
    auto h = local_handler(dir, store, log, metrics);
    auto r = h->handle(review_job(payload_for("octo/repo", base, head)), {});
    CAPTURE(r.detail);
    REQUIRE(r.status == JobResult::Status::done);
    REQUIRE(!r.run_id.empty());
    std::fclose(f);
    CHECK(test::query_one(dir / "audit.db", fmt::format("SELECT repository || '#' || pr_number || ' ' || head_sha "
                                                        "FROM review_runs WHERE run_id='{}'",
                                                        r.run_id)) == "octo/repo#12 " + head);
    auto text = test::read_text(dir / "log");
    CHECK(text.find("\"event\":\"would_post\"") != std::string::npos);
    CHECK(text.find(r.run_id) != std::string::npos);
    CHECK(metrics.render().find("reviewer_agent_duration_seconds_count{agent=\"size\"} 1") != std::string::npos);
  }

  TEST_CASE("a head missing from the mirror fails the job instead of reviewing something else") {
    auto dir = test::scratch_dir("badhead");
    auto repo = git::RepoBuilder::create(dir / "mirrors/octo/repo.git", true);
    auto base = repo.commit("main", "", {{"README.md", {"hello\n"}}}, "init");
    app::JsonLog log(std::fopen((dir / "log").c_str(), "w"));
    Metrics metrics;
    auto h = local_handler(dir, nullptr, log, metrics);
    auto r = h->handle(review_job(payload_for("octo/repo", base, std::string(40, 'e'))), {});
    CHECK(r.status == JobResult::Status::failed);
    CHECK(r.detail.find("octo/repo#12") != std::string::npos);
  }

  TEST_CASE("comment jobs are recorded as done without acting") {
    auto dir = test::scratch_dir("comment");
    app::JsonLog log(std::fopen((dir / "log").c_str(), "w"));
    Metrics metrics;
    auto h = local_handler(dir, nullptr, log, metrics);
    Job j = review_job("{}");
    j.kind = "comment";
    j.event = "issue_comment";
    CHECK(h->handle(j, {}).status == JobResult::Status::done);
  }

  TEST_CASE("a change the policy approves is logged as the COMMENT the publisher would post when auto-approve is off") {
    // The server's own dry-run handler once logged APPROVE here, unlike the
    // publisher: only an active repository with auto_approve gets APPROVE.
    auto dir = test::scratch_dir("local-approve");
    test::Origin origin(dir / "mirrors/octo/hello.git");
    const std::string head = origin.open_pr(5, {{"src/greet.py", {"def greet(name):\n    return f\"hello {name}\"\n"}}},
                                            "Add a greeting");
    std::FILE* f = std::fopen((dir / "log").c_str(), "w");
    app::JsonLog log(f);
    Metrics metrics;
    std::shared_ptr<audit::AuditStore> store = audit::AuditStore::open(dir / "audit.db");
    auto h = local_handler(dir, store, log, metrics);
    auto r = h->handle(review_job(test::pr_payload(origin, 5, head).dump()), {});
    CAPTURE(r.detail);
    REQUIRE(r.status == JobResult::Status::done);
    std::fclose(f);
    REQUIRE(test::query_one(dir / "audit.db",
                            fmt::format("SELECT decision FROM review_runs WHERE run_id='{}'", r.run_id)) == "approve");
    auto text = test::read_text(dir / "log");
    CAPTURE(text);
    CHECK(text.find("\"event\":\"would_post\"") != std::string::npos);
    CHECK(text.find("\"review_event\":\"COMMENT\"") != std::string::npos);
    CHECK(text.find("\"review_event\":\"APPROVE\"") == std::string::npos);
    CHECK(text.find("\"would_approve\":true") != std::string::npos);
    CHECK(text.find("\"auto_approve\":false") != std::string::npos);
    // The would-be requests are audited as in dry-run with credentials.
    CHECK(test::query_one(dir / "audit.db", fmt::format("SELECT count(*) FROM actions WHERE run_id='{}' AND "
                                                        "kind='would_review_comment'",
                                                        r.run_id)) == "1");
  }
}
