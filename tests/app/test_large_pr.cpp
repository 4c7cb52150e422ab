// Point 7 of issue 8: a pull request beyond what GitHub's API lists (more
// than 3,000 files) is reviewed whole from the local mirror, and the
// review says what it did not read in full.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include "app_fixture.h"
#include "server_fixture.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::test;

TEST_SUITE("app::large_pr") {
  // Slow (3,005 files): in the suite "slow", out of the default ctest run (tests/CMakeLists.txt).
  TEST_CASE("a pull request of more than 3,000 files is diffed locally and the review lists what was skipped" *
            doctest::test_suite("slow")) {
    auto dir = scratch_dir("app-large");
    Origin origin(dir / "origin.git");
    std::map<std::string, git::FileChange> files;
    for (int i = 0; i < 3005; ++i) files[fmt::format("gen/part{:04}.txt", i)] = {fmt::format("line {}\n", i)};
    files["assets/logo.png"] = {std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16)};
    files["data/big.txt"] = {std::string(4000, 'a') + "\n"};
    files["vendor/lib/util.js"] = {"module.exports = 1;\n"};
    std::string head = origin.open_pr(30, files, "Import the generated parts");
    write_text(dir / "guidance" / "limits.yml", "thresholds:\n  max_file_bytes: 2000\n");

    FakeGitHub fake;
    auto payload = pr_payload(origin, 30, head, "opened", "Import the generated parts");
    fake.set_pull(kRepo, 30, payload["pull_request"]);
    AppServer s(dir, fake, {"dry-run", false, true, {{"REVIEWER_GUIDANCE_DIR", (dir / "guidance").string()}}});
    CHECK(s.send("pull_request", payload, "d-large") == 202);
    REQUIRE(s.wait_job("d-large", std::chrono::seconds(120)) == "done");
    INFO(s.job_field("d-large", "result"));

    // Nothing asked GitHub for the file list or the diff.
    for (const auto& r : fake.requests()) {
      CHECK(r.path.find("/files") == std::string::npos);
      CHECK((r.headers.count("accept") == 0 || r.headers.at("accept").find("diff") == std::string::npos));
    }
    const std::string run_id = s.job_field("d-large", "run_id");
    REQUIRE(!run_id.empty());
    CHECK(s.audit_one(fmt::format("SELECT files + excluded_files FROM review_runs WHERE run_id='{}'", run_id)) ==
          "3008");
    auto detail = s.audit_one(fmt::format("SELECT detail FROM actions WHERE run_id='{}' AND kind LIKE 'would_review%'",
                                          run_id));
    auto body_at = detail.find(" {");
    REQUIRE(body_at != std::string::npos);
    auto request = nlohmann::json::parse(detail.substr(body_at + 1));
    std::string body = request["body"];
    CHECK(body.size() <= 65000);
    CHECK(body.find("#### Not reviewed in full") != std::string::npos);
    CHECK(body.find("3008 files changed, more than the 3000") != std::string::npos);
    CHECK(body.find("1 file(s) over the per-file limit") != std::string::npos);
    CHECK(body.find("data/big.txt") != std::string::npos);
    CHECK(body.find("1 binary file(s), not reviewed: assets/logo.png") != std::string::npos);
    CHECK(body.find("1 generated or vendored file(s)") != std::string::npos);
  }
}
