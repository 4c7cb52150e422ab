#include "console_fixture.h"

#include <fmt/format.h>

#include "audit/audit_fixtures.h"
#include "reviewer/console/auth.h"

namespace reviewer::test {

ReviewResult webhook_run(const std::string& id, const std::string& repo, std::int64_t pr, const std::string& head,
                         const std::string& at, DecisionKind d, Mode mode, int findings) {
  ReviewResult r = sample_review(id, findings, pr);
  r.pr.repository = repo;
  r.pr.head_sha = head;
  r.started_at = at;
  r.mode = mode;
  r.trigger = "webhook";
  r.decision.kind = d;
  return r;
}

namespace {

std::string sha(char c) { return std::string(40, c); }

ReviewResult run(const std::string& id, const std::string& repo, std::int64_t pr, const std::string& title,
                 DecisionKind decision, const std::string& at, const std::string& head, int findings = 0) {
  ReviewResult r = sample_review(id, findings, pr);
  r.started_at = at;
  r.trigger = pr ? "webhook" : "cli";
  r.mode = pr ? Mode::active : Mode::dry_run;
  r.pr.repository = repo;
  r.pr.title = title;
  r.pr.head_sha = head;
  r.decision.kind = decision;
  return r;
}

void pr_event(audit::AuditStore& s, const std::string& repo, std::int64_t pr, const std::string& kind,
              const std::string& actor, const std::string& head, const std::string& at, const std::string& merge = "",
              std::int64_t related = 0) {
  s.record_pr_event({repo, pr, kind, actor, head, merge, related, "", at});
}

void opened(audit::AuditStore& s, const std::string& repo, std::int64_t pr, const std::string& title,
            const std::string& author, const std::string& head, const std::string& at) {
  s.record_delivery({"d-" + repo + "-" + std::to_string(pr), "pull_request", "opened", repo, at, true, "queued"});
  s.record_pull_request({repo, pr, title, author, "main", head, false, at});
  pr_event(s, repo, pr, "opened", author, head, at);
}

void check(audit::AuditStore& s, const std::string& repo, std::int64_t pr, const std::string& head,
           const std::string& name, const std::string& result, const std::string& url, const std::string& at) {
  s.record_check_results({{repo, pr, head, "check_run", name, "ci", result, url, at, at, "merged"}});
}

}  // namespace

void write_console_log(audit::AuditStore& s) {
  opened(s, "acme/web", 1, kScriptTitle, "mallory", sha('1'), "2026-01-05T10:00:00Z");
  s.record_review(run("run-web-1", "acme/web", 1, kScriptTitle, DecisionKind::approve, "2026-01-05T10:01:00Z", sha('1')));
  s.record_action({"run-web-1", "acme/web", 1, "review_approve", "11", 200, "approved", "2026-01-05T10:02:00Z"});
  check(s, "acme/web", 1, sha('1'), "build", "success", "https://ci.example/build/1", "2026-01-05T10:30:00Z");
  pr_event(s, "acme/web", 1, "merged", "carol", sha('1'), "2026-01-05T11:00:00Z", sha('a'));

  opened(s, "acme/web", 2, kImgTitle, "mallory", sha('2'), "2026-01-06T09:00:00Z");
  s.record_review(run("run-web-2", "acme/web", 2, kImgTitle, DecisionKind::comment, "2026-01-06T09:01:00Z", sha('2'), 2));
  check(s, "acme/web", 2, sha('2'), "test", "failure", "javascript:alert(1)", "2026-01-06T12:10:00Z");
  pr_event(s, "acme/web", 2, "merged", "bob", sha('2'), "2026-01-06T13:00:00Z", sha('b'));

  opened(s, "acme/web", 3, "Revert \"x\"", "carol", sha('3'), "2026-01-08T08:00:00Z");
  pr_event(s, "acme/web", 3, "approved", "bob", sha('3'), "2026-01-08T08:30:00Z");
  pr_event(s, "acme/web", 3, "merged", "carol", sha('3'), "2026-01-08T09:00:00Z", sha('c'));
  pr_event(s, "acme/web", 2, "reverted", "", sha('2'), "2026-01-08T09:00:00Z", "", 3);
  // Bob's approval of #2 recorded late (a delayed webhook): the row after
  // it is another change's, so the change page checks the link from it
  // with a row of acme/api #1 (test_console_pages).
  pr_event(s, "acme/web", 2, "approved", "bob", sha('2'), "2026-01-06T12:00:00Z");

  opened(s, "acme/api", 1, "Rework the rate limiter", "dave", sha('4'), "2026-01-12T10:00:00Z");
  s.record_review(run("run-api-1", "acme/api", 1, "Rework the rate limiter", DecisionKind::needs_human,
                      "2026-01-12T10:01:00Z", sha('4'), 1));
  s.record_override({"acme/api", 1, "human_review", "dave", "c-1", "2026-01-12T10:05:00Z"});
  s.record_feedback({"acme/api", 1, "f-1", "test/rule-0", "erin", false, "c-2", "2026-01-12T10:06:00Z"});
  pr_event(s, "acme/api", 1, "approved", "erin", sha('4'), "2026-01-12T15:00:00Z");
  pr_event(s, "acme/api", 1, "merged", "erin", sha('4'), "2026-01-12T16:00:00Z", sha('d'));

  opened(s, "acme/api", 2, kFormulaTitle, "mallory", sha('5'), "2026-01-13T10:00:00Z");
  s.record_review(run("run-api-2", "acme/api", 2, kFormulaTitle, DecisionKind::request_changes,
                      "2026-01-13T10:01:00Z", sha('5'), 1));

  s.record_review(run("localrun1", "local/tool", 0, "Local <b>change</b>", DecisionKind::approve,
                      "2026-01-14T10:00:00Z", sha('6')));
}

std::filesystem::path console_log(const std::filesystem::path& dir) {
  const auto path = dir / "audit.db";
  write_console_log(*audit::AuditStore::open(path));
  return path;
}

console::ConsoleOptions console_options(const std::string& location, const std::string& trusted_header) {
  return {location, console::TokenSet({console::token_hash(kToken)}), trusted_header};
}

http::HttpAnswer request(const console::Console& c, const std::string& target, const Headers& headers,
                         boost::beast::http::verb method, const std::string& body) {
  http::HttpRequest req{method, target, 11};
  for (const auto& [name, value] : headers) req.set(name, value);
  if (method != boost::beast::http::verb::trace) {  // Beast refuses a TRACE with a body
    req.body() = body;
    req.prepare_payload();
  }
  std::uint64_t limit = 0;
  if (auto early = c.head(req, limit)) return *early;
  return c.handle(req);
}

http::HttpAnswer get(const console::Console& c, const std::string& target) {
  return request(c, target, {{"Authorization", "Bearer " + kToken}});
}

std::string header_of(const http::HttpAnswer& a, const std::string& name) {
  for (const auto& [n, v] : a.headers) {
    if (n == name) return v;
  }
  return "";
}

std::vector<std::pair<std::string, std::string>> untar(const std::string& tar) {
  std::vector<std::pair<std::string, std::string>> files;
  for (std::size_t at = 0; at + 512 <= tar.size();) {
    const std::string name = tar.substr(at, 100).c_str();
    if (name.empty()) break;
    const std::size_t size = std::stoul(tar.substr(at + 124, 11), nullptr, 8);
    files.emplace_back(name, tar.substr(at + 512, size));
    at += 512 + (size + 511) / 512 * 512;
  }
  return files;
}

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1, std::vector<std::string>(1));
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') rows.back().back() += '"', ++i;
      else if (c == '"') quoted = false;
      else rows.back().back() += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().emplace_back();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      ++i;
      rows.emplace_back(1);
    } else {
      rows.back().back() += c;
    }
  }
  if (rows.back().size() == 1 && rows.back()[0].empty()) rows.pop_back();
  return rows;
}

}  // namespace reviewer::test
