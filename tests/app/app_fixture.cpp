#include "app_fixture.h"

#include <fmt/format.h>

#include "audit/store.h"
#include "github_fixture.h"
#include "reviewer/server/serve_options.h"
#include "reviewer/git/handles.h"
#include "server_fixture.h"
#include "support/testutil.h"

namespace reviewer::test {
namespace {

nlohmann::json example(const std::string& event, const std::string& action) {
  for (auto& e : webhook_examples(event)) {
    if (e.value("action", std::string()) == action) return e;
  }
  throw std::runtime_error("no " + event + "." + action + " example in @octokit/webhooks-examples");
}

void point_repository_at(nlohmann::json& repo, const Origin& origin) {
  repo["full_name"] = kRepo;
  repo["name"] = kRepo.substr(kRepo.find('/') + 1);
  repo["owner"]["login"] = kRepo.substr(0, kRepo.find('/'));
  repo["clone_url"] = origin.url();
}

}  // namespace

Origin::Origin(const std::filesystem::path& path) : repo(git::RepoBuilder::create(path, true)) {
  base = repo.commit("main", "",
                     {{"README.md", {"# hello\n\nA small service.\n"}},
                      {"src/app.py", {"def main():\n    return 0\n"}}},
                     "init");
}

std::string Origin::open_pr(int number, const std::map<std::string, git::FileChange>& changes,
                            const std::string& message) {
  const std::string branch = fmt::format("pr-{}", number);
  std::string head = repo.commit(branch, base, changes, message);
  move_pull(number, head);
  return head;
}

void Origin::move_pull(int number, const std::string& head) {
  git_oid oid;
  git_oid_fromstr(&oid, head.c_str());
  git_reference* ref = nullptr;
  git::check(git_reference_create(&ref, repo.get(), fmt::format("refs/pull/{}/head", number).c_str(), &oid, 1,
                                  "pull request head"),
             "move refs/pull/N/head");
  git_reference_free(ref);
}

nlohmann::json pr_payload(const Origin& origin, int number, const std::string& head, const std::string& action,
                          const std::string& title) {
  nlohmann::json p = example("pull_request", "opened");
  p["action"] = action;
  p["number"] = number;
  point_repository_at(p["repository"], origin);
  auto& pr = p["pull_request"];
  pr["number"] = number;
  pr["title"] = title;
  pr["body"] = "Adds a greeting because users asked for a friendlier welcome.";
  pr["draft"] = false;
  pr["state"] = "open";
  pr["labels"] = nlohmann::json::array();
  pr["user"]["login"] = "alice";
  pr["head"]["sha"] = head;
  pr["head"]["ref"] = fmt::format("pr-{}", number);
  pr["base"]["sha"] = origin.base;
  pr["base"]["ref"] = "main";
  point_repository_at(pr["head"]["repo"], origin);
  point_repository_at(pr["base"]["repo"], origin);
  p["installation"] = {{"id", kInstallation}, {"node_id", "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc="}};
  return p;
}

nlohmann::json rerequest_payload(const Origin& origin, int number, const std::string& head) {
  nlohmann::json p = example("check_run", "rerequested");
  point_repository_at(p["repository"], origin);
  auto& run = p["check_run"];
  run["name"] = "reviewer";
  run["head_sha"] = head;
  run["pull_requests"] = nlohmann::json::array(
      {{{"number", number}, {"head", {{"sha", head}, {"ref", fmt::format("pr-{}", number)}}},
        {"base", {{"sha", origin.base}, {"ref", "main"}}}}});
  run["check_suite"]["head_sha"] = head;
  p["installation"] = {{"id", kInstallation}};
  return p;
}

nlohmann::json comment_payload(const Origin& origin, int number, const std::string& body, const std::string& login,
                               const std::string& association, std::int64_t comment_id) {
  nlohmann::json p = example("issue_comment", "created");
  point_repository_at(p["repository"], origin);
  p["issue"]["number"] = number;
  p["issue"]["user"]["login"] = "alice";
  p["issue"]["pull_request"] = {{"url", fmt::format("https://api.github.com/repos/{}/pulls/{}", kRepo, number)}};
  p["comment"]["id"] = comment_id;
  p["comment"]["body"] = body;
  p["comment"]["user"]["login"] = login;
  p["comment"]["user"]["type"] = login.find("[bot]") != std::string::npos ? "Bot" : "User";
  p["comment"]["author_association"] = association;
  p["sender"]["login"] = login;
  p["installation"] = {{"id", kInstallation}};
  return p;
}

nlohmann::json review_payload(const Origin& origin, int number, const std::string& state, const std::string& login,
                              const std::string& association, const std::string& commit, std::int64_t review_id) {
  nlohmann::json p = example("pull_request_review", "submitted");
  point_repository_at(p["repository"], origin);
  p["pull_request"]["number"] = number;
  p["pull_request"]["head"]["sha"] = commit;
  p["pull_request"]["user"]["login"] = "alice";
  p["review"]["id"] = review_id;
  p["review"]["state"] = state;
  p["review"]["commit_id"] = commit;
  p["review"]["body"] = nullptr;
  p["review"]["user"]["login"] = login;
  p["review"]["user"]["type"] = "User";
  p["review"]["author_association"] = association;
  p["sender"]["login"] = login;
  p["installation"] = {{"id", kInstallation}};
  return p;
}

AppServer::AppServer(const std::filesystem::path& d, FakeGitHub& fake, AppServerOptions o) : dir(d) {
  port = free_port();
  server::Environment env = {{"REVIEWER_WEBHOOK_SECRET", kSecret},
                             {"REVIEWER_LISTEN", fmt::format("127.0.0.1:{}", port)},
                             {"REVIEWER_DATA_DIR", (dir / "data").string()},
                             {"REVIEWER_WORKERS", std::to_string(o.workers)},
                             {"REVIEWER_MODE", o.mode},
                             {"REVIEWER_RETRY_BASE_MS", "50"},
                             {"REVIEWER_SHUTDOWN_GRACE_SECONDS", "10"}};
  if (o.credentials) {
    env["GITHUB_API_URL"] = fake.url();
    if (o.app) {
      write_text(dir / "app.pem", test_rsa_key().private_pem);
      fake.set_app_public_key(test_rsa_key().public_pem);
      env["GITHUB_APP_ID"] = "4242";
      env["GITHUB_APP_PRIVATE_KEY_FILE"] = (dir / "app.pem").string();
    } else {
      fake.accept_token("ghp_test_token");
      env["GITHUB_TOKEN"] = "ghp_test_token";
    }
  }
  for (const auto& [k, v] : o.env) env[k] = v;
  settings = server::load_settings(std::nullopt, env);
  log_file = std::fopen((dir / "serve.log").c_str(), "w");
  log = std::make_unique<app::JsonLog>(log_file);
  std::filesystem::create_directories(settings.data_dir);
  store = audit::AuditStore::open(settings.audit_db());
  server = std::make_unique<server::Server>(
      settings,
      [this](app::JsonLog& l, Metrics& m) { return app::make_github_handler(handler, store, l, m); }, *log);
  // The fake's seams: no real sleeping between retries, no pacing.
  handler = server::handler_options(settings, log.get(), &server->metrics(), fake_options(fake, nullptr));
  server->start();
}

AppServer::~AppServer() {
  server->stop();
  server.reset();
  std::fclose(log_file);
}

int AppServer::send(const std::string& event, const nlohmann::json& payload, const std::string& delivery_id) {
  WebhookOptions wo;
  wo.event = event;
  wo.delivery_id = delivery_id;
  return post_webhook(port, payload.dump(), wo).status;
}

std::string AppServer::job_field(const std::string& delivery_id, const std::string& column) {
  return query_one(settings.queue_db(),
                   fmt::format("SELECT {} FROM jobs WHERE delivery_id='{}' ORDER BY id DESC LIMIT 1", column, delivery_id));
}

std::string AppServer::wait_job(const std::string& delivery_id, std::chrono::seconds timeout) {
  std::string state;
  wait_until(
      [&] {
        state = job_field(delivery_id, "state");
        return state == "done" || state == "failed" || state == "dead" || state == "superseded";
      },
      timeout);
  return state == "done" || state == "failed" || state == "dead" || state == "superseded" ? state : "";
}

std::string AppServer::audit_one(const std::string& sql) { return query_one(settings.audit_db(), sql); }

std::string AppServer::log_text() {
  std::fflush(log_file);
  return read_text(dir / "serve.log");
}

}  // namespace reviewer::test
