#include <doctest/doctest.h>

#include <fmt/format.h>

#include "audit/store.h"
#include "reviewer/git/builder.h"
#include "reviewer/server/log.h"
#include "reviewer/server/metrics.h"
#include "reviewer/server/review_handler.h"
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

}  // namespace

TEST_SUITE("server::review_handler") {
  TEST_CASE("mirror paths accept only plain owner/name") {
    CHECK(mirror_path("/m", "octo/hello-world") == "/m/octo/hello-world.git");
    CHECK(mirror_path("/m", "../etc").empty());
    CHECK(mirror_path("/m", "a/..").empty());
    CHECK(mirror_path("/m", "a/b/c").empty());
    CHECK(mirror_path("/m", "noslash").empty());
  }

  TEST_CASE("without a mirror the job fails with a clear reason and nothing is approved") {
    auto dir = test::scratch_dir("nomirror");
    JsonLog log(std::fopen((dir / "log").c_str(), "w"));
    Metrics metrics;
    auto h = make_dry_run_handler({dir / "mirrors", nullptr, nullptr, "dry-run"}, nullptr, log, metrics);
    auto r = h->handle(review_job(test::pull_request_payload("octo/repo", 3, std::string(40, 'a'))));
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
    JsonLog log(f);
    Metrics metrics;
    std::shared_ptr<audit::AuditStore> store = audit::AuditStore::open(dir / "audit.db");
    auto h = make_dry_run_handler({dir / "mirrors", nullptr, nullptr, "dry-run"}, store, log, metrics);
    auto r = h->handle(review_job(payload_for("octo/repo", base, head)));
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
    JsonLog log(std::fopen((dir / "log").c_str(), "w"));
    Metrics metrics;
    auto h = make_dry_run_handler({dir / "mirrors", nullptr, nullptr, "dry-run"}, nullptr, log, metrics);
    auto r = h->handle(review_job(payload_for("octo/repo", base, std::string(40, 'e'))));
    CHECK(r.status == JobResult::Status::failed);
    CHECK(r.detail.find("octo/repo#12") != std::string::npos);
  }

  TEST_CASE("comment jobs are recorded as done without acting") {
    auto dir = test::scratch_dir("comment");
    JsonLog log(std::fopen((dir / "log").c_str(), "w"));
    Metrics metrics;
    auto h = make_dry_run_handler({dir / "mirrors", nullptr, nullptr, "dry-run"}, nullptr, log, metrics);
    Job j = review_job("{}");
    j.kind = "comment";
    j.event = "issue_comment";
    CHECK(h->handle(j).status == JobResult::Status::done);
  }
}
