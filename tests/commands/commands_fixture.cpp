#include "commands_fixture.h"

#include <fmt/format.h>

#include "github_fixture.h"
#include "reviewer/core/review_result.h"
#include "support/testutil.h"

namespace reviewer::test {

namespace {

nlohmann::json example(const std::string& event, const std::string& action) {
  for (auto& e : webhook_examples(event)) {
    if (e.value("action", "") == action) return e;
  }
  throw std::runtime_error("no " + event + "." + action + " example");
}

void point_at_pr(nlohmann::json& p) {
  p["repository"]["owner"]["login"] = "o";
  p["repository"]["name"] = "r";
  p["repository"]["full_name"] = "o/r";
}

}  // namespace

nlohmann::json comment_payload(const std::string& body, const std::string& login, const std::string& association,
                               std::int64_t comment_id) {
  auto p = example("issue_comment", "created");
  point_at_pr(p);
  p["issue"]["number"] = 7;
  p["issue"]["user"]["login"] = kAuthor;
  p["issue"]["pull_request"] = {{"url", "https://api.github.com/repos/o/r/pulls/7"},
                                {"html_url", "https://github.com/o/r/pull/7"}};
  p["comment"]["id"] = comment_id;
  p["comment"]["body"] = body;
  p["comment"]["user"]["login"] = login;
  p["comment"]["user"]["type"] = login.find("[bot]") != std::string::npos ? "Bot" : "User";
  p["comment"]["author_association"] = association;
  p["sender"]["login"] = login;
  return p;
}

nlohmann::json review_payload(const std::string& state, const std::string& login, const std::string& association,
                              const std::string& commit, std::int64_t review_id, const std::string& body,
                              const std::string& action) {
  auto p = example("pull_request_review", action);
  point_at_pr(p);
  p["pull_request"]["number"] = 7;
  p["pull_request"]["head"]["sha"] = commit;
  p["pull_request"]["user"]["login"] = kAuthor;
  p["review"]["id"] = review_id;
  p["review"]["state"] = state;
  p["review"]["commit_id"] = commit;
  p["review"]["body"] = body.empty() ? nlohmann::json(nullptr) : nlohmann::json(body);
  p["review"]["user"]["login"] = login;
  p["review"]["user"]["type"] = login.find("[bot]") != std::string::npos ? "Bot" : "User";
  p["review"]["author_association"] = association;
  return p;
}

nlohmann::json pull_request_payload(const std::string& action, std::int64_t number) {
  auto p = example("pull_request", action);
  point_at_pr(p);
  p["number"] = number;
  p["pull_request"]["number"] = number;
  p["pull_request"]["head"]["sha"] = kPrHead;
  p["pull_request"]["user"]["login"] = kAuthor;
  return p;
}

Scenario::Scenario(Mode mode) {
  dir = scratch_dir("commands");
  fake.accept_token("tok");
  fake.set_pull_head("o/r", 7, kPrHead);
  client = std::make_unique<github::RestClient>(fake_options(fake, github::token_credentials("tok")));
  audit = audit::AuditStore::open(dir / "audit.db");
  commands::CommandOptions o;
  o.bot_login = kBot;
  o.mode = mode;
  o.codeowners = [this](const github::PullInfo& pr) -> std::optional<std::string> {
    std::lock_guard lock(mu);
    if (pr.base_tip_sha != kPrBase || pr.pr.base_ref != "main" || pr.full_name() != "o/r") {
      throw Error(Error::Code::invalid_input, "unknown base commit " + pr.base_tip_sha);
    }
    return codeowners;
  };
  ctx = std::make_unique<commands::CommandContext>(commands::CommandContext{*client, *audit, o});

  fake.on("GET", "/repos/o/r/pulls/7", [this](const Recorded&) {
    std::lock_guard lock(mu);
    return FakeResponse{200,
                        {{"number", 7}, {"title", "Add a greeting"}, {"state", "open"}, {"merged", false},
                         {"user", {{"login", kAuthor}}},
                         {"head", {{"sha", head}, {"ref", "feature"}}}, {"base", {{"sha", kPrBase}, {"ref", "main"}}}},
                        {}};
  });
  fake.on("GET", "/repos/o/r/pulls/7/files", [this](const Recorded&) {
    std::lock_guard lock(mu);
    nlohmann::json out = nlohmann::json::array();
    for (const auto& f : files) out.push_back({{"filename", f}, {"status", "modified"}});
    return FakeResponse{200, out, {}};
  });
  fake.on("POST", "/repos/o/r/issues/7/comments", [this](const Recorded& r) {
    std::lock_guard lock(mu);
    posted.push_back(r.body.value("body", ""));
    return FakeResponse{201, {{"id", ++next_id}, {"body", r.body.value("body", "")}, {"user", {{"login", kBot}}}}, {}};
  });
  fake.on("POST", "/repos/o/r/pulls/7/requested_reviewers", [this](const Recorded& r) {
    std::lock_guard lock(mu);
    requested.push_back(r.body);
    return FakeResponse{201, {{"number", 7}}, {}};
  });
  for (int id = 900; id < 920; ++id) {
    fake.on("POST", fmt::format("/repos/o/r/issues/comments/{}/reactions", id), [](const Recorded& r) {
      return FakeResponse{201, {{"id", 1}, {"content", r.body.value("content", "")}}, {}};
    });
  }
  fake.on("GET", "/repos/o/r/pulls/7/comments", [this](const Recorded&) {
    std::lock_guard lock(mu);
    return FakeResponse{200, review_comments, {}};
  });
}

Scenario::~Scenario() = default;

void Scenario::set_permission(const std::string& login, const std::string& role) {
  std::string legacy = role == "admin" ? "admin" : role == "maintain" || role == "write" ? "write"
                       : role == "none" ? "none" : "read";
  fake.on("GET", "/repos/o/r/collaborators/" + login + "/permission", [this, legacy, role, login](const Recorded&) {
    std::lock_guard lock(mu);
    ++lookups;
    return FakeResponse{200, {{"permission", legacy}, {"role_name", role}, {"user", {{"login", login}}}}, {}};
  });
}

void Scenario::set_head(const std::string& sha) {
  std::lock_guard lock(mu);
  head = sha;
}

void Scenario::set_files(std::vector<std::string> paths) {
  std::lock_guard lock(mu);
  files = std::move(paths);
}

void Scenario::set_codeowners(std::string text) {
  std::lock_guard lock(mu);
  codeowners = std::move(text);
}

void Scenario::add_bot_inline_comment(std::int64_t id, const std::string& finding_id, nlohmann::json reactions) {
  std::lock_guard lock(mu);
  int up = 0, down = 0;
  for (const auto& r : reactions) {
    up += r.value("content", "") == "+1";
    down += r.value("content", "") == "-1";
  }
  review_comments.push_back({{"id", id}, {"user", {{"login", kBot}, {"type", "Bot"}}},
                             {"body", fmt::format("**warning** x\n\n<!-- reviewer:finding={} -->", finding_id)},
                             {"reactions", {{"total_count", up + down}, {"+1", up}, {"-1", down}}}});
  comment_reactions[id] = reactions;
  fake.on("GET", fmt::format("/repos/o/r/pulls/comments/{}/reactions", id), [this, id](const Recorded&) {
    std::lock_guard lock(mu);
    return FakeResponse{200, comment_reactions[id], {}};
  });
}

nlohmann::json Scenario::replies() {
  std::lock_guard lock(mu);
  return posted;
}

nlohmann::json Scenario::reactions_posted() {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : fake.requests("POST", "/repos/o/r/issues/comments/")) out.push_back(r.body);
  return out;
}

nlohmann::json Scenario::review_requests() {
  std::lock_guard lock(mu);
  return requested;
}

int Scenario::permission_lookups() {
  std::lock_guard lock(mu);
  return lookups;
}

std::string Scenario::gate() {
  std::string h;
  {
    std::lock_guard lock(mu);
    h = head;
  }
  std::string conclusion;
  for (const auto& run : fake.check_runs()) {
    if (run.value("head_sha", "") == h) conclusion = run.value("conclusion", "");
  }
  return conclusion;
}

void Scenario::record_finding(const std::string& finding_id, const std::string& rule, const std::string& h) {
  ReviewResult r;
  static int n = 0;
  r.run_id = fmt::format("run-{}-{}", finding_id, ++n);
  r.pr.repository = "o/r";
  r.pr.number = 7;
  r.pr.head_sha = h;
  r.decision.kind = DecisionKind::comment;
  AgentReport a;
  a.name = "logic";
  Finding f;
  f.id = finding_id;
  f.rule = rule;
  f.severity = Severity::warning;
  a.findings.push_back(f);
  r.agents.push_back(a);
  audit->record_review(r);
}

}  // namespace reviewer::test
