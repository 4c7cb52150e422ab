#include "reviewer/app/audit_ledger.h"

#include <algorithm>

#include <fmt/format.h>

#include "audit/posted.h"
#include "audit/store.h"
#include "reviewer/core/text.h"
#include "reviewer/github/check_run.h"

namespace reviewer::app {
namespace {

constexpr std::size_t kMaxDetail = 256 * 1024;  // a review body is at most 65 KB; keep the rest bounded

bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string review_path(const std::string& repo, std::int64_t number) {
  auto slash = repo.find('/');
  return fmt::format("/repos/{}/{}/pulls/{}/reviews", github::url_encode(repo.substr(0, slash)),
                     github::url_encode(repo.substr(slash + 1)), number);
}

}  // namespace

AuditLedger::AuditLedger(std::shared_ptr<audit::AuditStore> store, std::filesystem::path db, std::string run_id)
    : store_(std::move(store)), db_(std::move(db)), run_id_(std::move(run_id)) {}

bool AuditLedger::review_posted(const std::string& repo, std::int64_t number, const std::string& head_sha,
                                const std::string& event) {
  return audit::posted_review(db_, repo, number, head_sha, "review_" + lower(event)).has_value();
}

void AuditLedger::record_review(const std::string& repo, std::int64_t number, const std::string& head_sha,
                                std::int64_t review_id, const std::string& event) {
  audit::ActionRecord a;
  a.run_id = run_id_;
  a.repository = repo;
  a.pr_number = number;
  a.kind = "review_" + lower(event);
  a.github_id = review_id ? std::to_string(review_id) : "";
  a.http_status = 200;
  a.detail = fmt::format("POST {} head={}", review_path(repo, number), head_sha);
  store_->record_action(a);
}

std::string action_kind(const github::PlannedCall& c) {
  const std::string& p = c.path;
  if (c.method == "POST" && ends_with(p, "/reviews")) {
    std::string ev = c.body.is_object() ? c.body.value("event", std::string()) : "";
    return "review_" + lower(ev.empty() ? "comment" : ev);
  }
  if (c.method == "PUT" && ends_with(p, "/dismissals")) return "dismiss_review";
  if (p.find("/labels") != std::string::npos) return c.method == "DELETE" ? "label_remove" : "label";
  if (p.find("/check-runs") != std::string::npos) return "check_run";
  if (p.find("/statuses/") != std::string::npos) return "commit_status";
  return "github_call";
}

std::size_t record_publish_actions(audit::AuditStore& store, const github::PublishReport& report,
                                   const std::string& run_id, const std::string& repository, std::int64_t number,
                                   const std::string& head_sha) {
  const bool dry = report.mode == Mode::dry_run;
  std::size_t rows = 0;
  auto record = [&](std::string kind, std::string github_id, int status, std::string detail) {
    audit::ActionRecord a;
    a.run_id = run_id;
    a.repository = repository;
    a.pr_number = number;
    a.kind = dry ? "would_" + kind : std::move(kind);
    a.github_id = std::move(github_id);
    a.http_status = status;
    a.detail = github::truncate_utf8(detail, kMaxDetail);
    store.record_action(a);
    ++rows;
  };
  for (const auto& call : report.calls) {
    const std::string kind = action_kind(call);
    const bool is_review = kind.rfind("review_", 0) == 0;
    std::string request = fmt::format("{} {}", call.method, call.path);
    if (is_review) request += " head=" + head_sha;
    if (dry) {
      // The exact request, body included (evidence was redacted by the agents).
      record(kind, "", 0, call.body.is_null() ? request
                                              : request + " " + call.body.dump(-1, ' ', false,
                                                                               nlohmann::json::error_handler_t::replace));
    } else if (!is_review) {
      record(kind, call.github_id, call.status, request);
    }
    const bool accepted = dry || (call.status >= 200 && call.status < 300);  // not a 422'd attempt
    if (is_review && accepted && call.body.is_object() && call.body.contains("comments")) {
      for (const auto& c : call.body["comments"]) {
        record("inline_comment", dry ? "" : call.github_id, dry ? 0 : call.status,
               fmt::format("{}:{} {}", c.value("path", std::string()), c.value("line", 0), c.value("side", std::string())));
      }
    }
  }
  return rows;
}

}  // namespace reviewer::app
