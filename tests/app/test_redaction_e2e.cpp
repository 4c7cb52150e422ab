// Issue 17, item 3, through the whole `serve` path: a secret in every
// position of a pull request reaches no request to GitHub, no request to a
// model provider, no log line and no audit row.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include "app_fixture.h"
#include "fake_server.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::test;

namespace {

// Everything a fake server recorded, as one string to search.
std::string github_traffic(FakeGitHub& fake) {
  std::string all;
  for (const auto& r : fake.requests()) {
    all += r.method + " " + r.path + "?" + r.query + " " +
           r.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  return all;
}

std::string model_traffic(const FakeServer& model) {
  std::string all;
  for (const auto& r : model.received()) {
    all += r.path + " " + r.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  return all;
}

}  // namespace

TEST_SUITE("app::redaction") {
  TEST_CASE("a secret in code, comment, string, path, commit, title, body and branch leaves no trace anywhere") {
    // Built from pieces so this source holds no credential-shaped literal.
    const std::string key = std::string("AKIA") + "W8PZ3RTQ" + "6NVY2KXM";
    auto dir = scratch_dir("app-redaction");
    Origin origin(dir / "origin.git");
    const std::string head = origin.open_pr(
        21,
        {{"src/upload.py", {"import boto3\n\nclient = boto3.client(\"s3\", aws_access_key_id=\"" + key + "\")\n"
                            "# old_client = boto3.client(\"s3\", aws_access_key_id=\"" + key + "\")\n"
                            "print(\"uploading with " + key + "\")\n"}},
         {"keys/" + key + ".txt", {"rotated monthly\n"}}},
        "Add the upload client\n\nUses " + key + " until the role exists.\n");
    auto payload = pr_payload(origin, 21, head, "opened", "Upload with " + key);
    payload["pull_request"]["body"] = "The key " + key + " is temporary.";
    payload["pull_request"]["head"]["ref"] = "upload-" + key;
    FakeGitHub fake;
    fake.set_pull(kRepo, 21, payload["pull_request"]);

    FakeServer model;
    model.respond([](const Received&) { return openai_text(R"({"findings":[]})"); });
    write_text(dir / "model.yml", fmt::format("providers:\n  - name: local\n    kind: openai\n    base_url: {}\n"
                                              "    model: test\n    timeout_ms: 5000\n    max_output_tokens: 500\n",
                                              model.base_url()));
    AppServer s(dir, fake, {"active", true, true, {{"REVIEWER_MODEL_CONFIG", (dir / "model.yml").string()}}});
    CHECK(s.send("pull_request", payload, "d-redact-1") == 202);
    REQUIRE(s.wait_job("d-redact-1") == "done");
    INFO(s.job_field("d-redact-1", "result"));

    // The review was posted and names the secret's rule; the model was asked.
    auto reviews = fake.reviews(kRepo, 21);
    REQUIRE(reviews.size() == 1);
    CHECK(reviews[0]["state"] == "CHANGES_REQUESTED");
    const std::string to_github = github_traffic(fake);
    CHECK(to_github.find("aws-access-key") != std::string::npos);
    CHECK_FALSE(model.received().empty());

    std::string dump;
    REQUIRE(run_command("sqlite3 '" + s.settings.audit_db().string() + "' .dump", &dump) == 0);
    CHECK(dump.find("aws-access-key") != std::string::npos);
    const std::string log = s.log_text();
    for (const std::string& raw : {key, key.substr(0, 12)}) {
      CAPTURE(raw);
      CHECK(to_github.find(raw) == std::string::npos);
      CHECK(model_traffic(model).find(raw) == std::string::npos);
      CHECK(log.find(raw) == std::string::npos);
      CHECK(dump.find(raw) == std::string::npos);
    }
  }
}
