// The end-to-end set-up of the GitHub handler tests: a bare "origin"
// repository served as a file:// clone URL, real pull_request and
// check_run payloads (from @octokit/webhooks-examples) rewritten to point
// at it, the fake GitHub API of tests/github, and the real Server with the
// GitHub handler on a free loopback port.
#pragma once

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "fake_github.h"
#include "reviewer/app/handler.h"
#include "reviewer/git/builder.h"
#include "reviewer/app/log.h"
#include "reviewer/server/server.h"
#include "reviewer/server/settings.h"

namespace reviewer::audit { class AuditStore; }

namespace reviewer::test {

inline const std::string kRepo = "octo/hello";
inline constexpr std::int64_t kInstallation = 77;

// A bare repository with `main` (README.md, src/app.py) and pull requests
// as GitHub serves them: refs/pull/<n>/head.
struct Origin {
  explicit Origin(const std::filesystem::path& path);
  std::string url() const { return "file://" + repo.path().string(); }
  // Commits `changes` on top of main's tip as PR `number`; returns the head.
  std::string open_pr(int number, const std::map<std::string, git::FileChange>& changes,
                      const std::string& message);
  // Points refs/pull/<number>/head at `head`, as GitHub does on a push.
  void move_pull(int number, const std::string& head);
  git::RepoBuilder repo;
  std::string base;  // main's tip
};

// A pull_request delivery (@octokit/webhooks-examples pull_request.opened,
// rewritten): repository `kRepo` cloned from `origin`, PR `number` at
// `head` on main, the App installation kInstallation.
nlohmann::json pr_payload(const Origin& origin, int number, const std::string& head,
                          const std::string& action = "opened", const std::string& title = "Add a greeting");
// check_run `rerequested` for our check on `head`, listing PR `number`.
nlohmann::json rerequest_payload(const Origin& origin, int number, const std::string& head);
// issue_comment `created` on PR `number` (authored by alice) by `login`
// with GitHub's author_association `association`.
nlohmann::json comment_payload(const Origin& origin, int number, const std::string& body, const std::string& login,
                               const std::string& association, std::int64_t comment_id);
// pull_request_review `submitted` (state approved | changes_requested |
// commented) of `commit` by `login`.
nlohmann::json review_payload(const Origin& origin, int number, const std::string& state, const std::string& login,
                              const std::string& association, const std::string& commit, std::int64_t review_id);

struct AppServerOptions {
  AppServerOptions(std::string m = "active", bool a = true, bool c = true, std::map<std::string, std::string> e = {},
                   int w = 2)
      : mode(std::move(m)), app(a), credentials(c), env(std::move(e)), workers(w) {}
  std::string mode;
  bool app;                                // App credentials (else a plain token)
  bool credentials;                        // false: no GitHub credentials at all
  std::map<std::string, std::string> env;  // more REVIEWER_* settings
  int workers;
};

// `serve` with the GitHub handler, data in `dir`, talking to `fake`.
struct AppServer {
  AppServer(const std::filesystem::path& dir, FakeGitHub& fake, AppServerOptions options = {});
  ~AppServer();
  AppServer(const AppServer&) = delete;
  AppServer& operator=(const AppServer&) = delete;

  // Posts a signed webhook; returns the HTTP status.
  int send(const std::string& event, const nlohmann::json& payload, const std::string& delivery_id);
  // Waits for the delivery's job to end; returns its state (done, failed,
  // dead, superseded) or "" on timeout.
  std::string wait_job(const std::string& delivery_id, std::chrono::seconds timeout = std::chrono::seconds(30));
  std::string job_field(const std::string& delivery_id, const std::string& column);
  std::string audit_one(const std::string& sql);
  std::string log_text();

  std::filesystem::path dir;
  server::ServeSettings settings;
  std::FILE* log_file = nullptr;
  std::unique_ptr<app::JsonLog> log;
  std::shared_ptr<audit::AuditStore> store;
  app::AppHandlerOptions handler;
  std::unique_ptr<server::Server> server;
  int port = 0;
};

}  // namespace reviewer::test
