// A scenario for the command tests: the fake GitHub API (tests/github) with
// the extra routes the commands use (collaborator permissions, issue
// comments, PR files, review requests, review comments and reactions), a
// real audit store in a scratch folder, and webhook payloads built from
// GitHub's own examples (@octokit/webhooks-examples).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "audit/store.h"
#include "fake_github.h"
#include "reviewer/commands/context.h"
#include "support/webhooks.h"

namespace reviewer::test {

inline const std::string kBot = "reviewer-test[bot]";
inline const std::string kAuthor = "alice";
inline const std::string kPrHead = "1111111111111111111111111111111111111111";
inline const std::string kPrBase = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

struct Scenario {
  explicit Scenario(Mode mode = Mode::active);
  ~Scenario();

  // State behind the extra routes; declared first so it outlives the fake.
  std::mutex mu;
  std::map<std::string, std::string> permissions;
  std::string head = kPrHead;
  std::vector<std::string> files = {"src/app.cpp"};
  std::optional<std::string> codeowners;
  nlohmann::json review_comments = nlohmann::json::array();
  std::map<std::int64_t, nlohmann::json> comment_reactions;
  nlohmann::json posted = nlohmann::json::array();
  nlohmann::json reacted = nlohmann::json::array();
  nlohmann::json requested = nlohmann::json::array();
  int lookups = 0;
  std::int64_t next_id = 5000;

  FakeGitHub fake;
  std::unique_ptr<github::RestClient> client;
  std::unique_ptr<audit::AuditStore> audit;
  std::unique_ptr<commands::CommandContext> ctx;
  std::filesystem::path dir;

  // --- GitHub state behind the extra routes (o/r#7) ---------------------
  void set_permission(const std::string& login, const std::string& role);  // admin|maintain|write|triage|read
  void set_head(const std::string& sha);
  void set_files(std::vector<std::string> paths);
  void set_codeowners(std::string text);           // served as the base commit's CODEOWNERS
  void add_bot_inline_comment(std::int64_t id, const std::string& finding_id, nlohmann::json reactions);
  nlohmann::json replies();                        // bodies posted as issue comments, in order
  nlohmann::json reactions_posted();               // POST .../issues/comments/{id}/reactions bodies
  nlohmann::json review_requests();                // POST .../requested_reviewers bodies
  int permission_lookups();
  std::string gate();                              // conclusion of the newest check run for the head, or ""

  // A finding the bot reported on the PR (recorded as a review run).
  void record_finding(const std::string& finding_id, const std::string& rule, const std::string& head = kPrHead);

};

// Payloads: GitHub's example of the event, pointed at o/r#7.
nlohmann::json comment_payload(const std::string& body, const std::string& login, const std::string& association,
                               std::int64_t comment_id = 900);
nlohmann::json review_payload(const std::string& state, const std::string& login, const std::string& association,
                              const std::string& commit = kPrHead, std::int64_t review_id = 800,
                              const std::string& body = "", const std::string& action = "submitted");
nlohmann::json pull_request_payload(const std::string& action, std::int64_t number = 7);

}  // namespace reviewer::test
