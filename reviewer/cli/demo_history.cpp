#include "reviewer/cli/demo_history.h"

#include <array>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "audit/store.h"
#include "reviewer/core/sha256.h"
#include "reviewer/core/utc_time.h"
#include "reviewer/core/review_result.h"

namespace reviewer {

namespace {

// splitmix64: tiny, and the same numbers on every platform.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
  bool chance(double p) { return static_cast<double>(next() >> 11) * 0x1.0p-53 < p; }
  template <typename T, std::size_t N>
  const T& pick(const std::array<T, N>& a) { return a[static_cast<std::size_t>(below(static_cast<int>(N)))]; }

 private:
  std::uint64_t s_;
};

constexpr std::array<const char*, 3> kRepos{"acme/payments", "acme/web", "acme/infra"};
constexpr std::array<const char*, 8> kPeople{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"};
constexpr std::array<const char*, 8> kVerbs{"Fix", "Add", "Refactor", "Update", "Remove", "Speed up", "Document",
                                            "Harden"};
constexpr std::array<const char*, 10> kThings{"the retry loop", "currency rounding", "the login form",
                                              "webhook parsing", "cache eviction", "the deploy script",
                                              "rate limiting", "CSV export", "the settings page", "TLS config"};
// Titles the console must show as text (its escaping test looks for them).
constexpr const char* kScriptTitle = "<script>alert(1)</script>";
constexpr const char* kImgTitle = "\"><img src=x onerror=alert(1)>";

struct Rule {
  const char* agent;
  const char* rule;
  Severity severity;
};
constexpr std::array<Rule, 4> kWarnings{{{"logic", "logic/todo-left", Severity::warning},
                                         {"intent", "intent/missing-why", Severity::warning},
                                         {"logic", "logic/tests-missing", Severity::warning},
                                         {"safety", "safety/dangerous/shell-exec", Severity::warning}}};
constexpr std::array<Rule, 2> kErrors{{{"safety", "safety/secret/aws-access-key", Severity::error},
                                       {"logic", "logic/null-deref", Severity::error}}};
constexpr std::array<Rule, 2> kHuman{{{"size", "size/split", Severity::warning},
                                      {"history", "history/high-risk", Severity::warning}}};

std::string at(std::int64_t t) { return utc_iso8601(std::chrono::system_clock::time_point(std::chrono::seconds(t))); }

std::string hex_id(std::uint64_t seed, const std::string& what, std::size_t n) {
  return sha256_hex(fmt::format("reviewer-demo:{}:{}", seed, what)).substr(0, n);
}

class Writer {
 public:
  Writer(audit::AuditStore& s, const DemoHistory& h) : s_(s), h_(h), rng_(h.seed) {}

  DemoHistoryCounts run() {
    const std::int64_t step = std::int64_t{h_.days} * 86400 / std::max(1, h_.changes);
    for (int i = 0; i < h_.changes; ++i) change(i, h_.start + i * step + rng_.below(8 * 3600));
    for (int i = 0; i < 6; ++i) local_run(i, h_.start + (i + 1) * std::int64_t{h_.days} * 86400 / 7);
    return n_;
  }

 private:
  struct Pr {
    std::string repo, title, author, head;
    std::int64_t number = 0;
  };

  Pr open(const std::string& repo, const std::string& title, const std::string& author, std::int64_t t,
          const std::string& key) {
    Pr pr{repo, title, author, hex_id(h_.seed, key + ":head", 40), ++numbers_[repo]};
    s_.record_delivery({hex_id(h_.seed, key + ":opened", 32), "pull_request", "opened", repo, at(t), true, "queued"});
    s_.record_pull_request({repo, pr.number, title, author, "main", pr.head, false, at(t)});
    event(pr, "opened", author, t);
    return pr;
  }

  void event(const Pr& pr, const std::string& kind, const std::string& actor, std::int64_t t,
             const std::string& merge_sha = "") {
    s_.record_pr_event({pr.repo, pr.number, kind, actor, pr.head, merge_sha, 0, "", at(t)});
  }

  // One review run; returns its decision.
  DecisionKind review(const Pr& pr, const std::string& key, std::int64_t t, DecisionKind d, Mode mode,
                      const char* trigger = "webhook") {
    ReviewResult r;
    r.run_id = hex_id(h_.seed, key + ":run", 32);
    r.started_at = at(t);
    r.mode = mode;
    r.trigger = trigger;
    r.pr.repository = pr.repo;
    r.pr.number = pr.number;
    r.pr.title = pr.title;
    r.pr.author = pr.author;
    r.pr.base_ref = "main";
    r.pr.base_sha = hex_id(h_.seed, key + ":base", 40);
    r.pr.head_sha = pr.head;
    const int lines = d == DecisionKind::needs_human ? 300 + rng_.below(900) : 4 + rng_.below(180);
    r.size = SizeStats{lines < 10 ? "XS" : lines < 30 ? "S" : lines < 100 ? "M" : lines < 500 ? "L" : "XL",
                       lines * 2 / 3, lines / 3, 1 + lines / 40, 1 + rng_.below(3), 0, lines > 400};
    r.guidance_version = "demo-guidance-1";
    r.reviewer_version = reviewer_version();
    r.duration_ms = 800 + rng_.below(9000);
    for (const char* name : {"intent", "safety", "logic", "size", "history"}) {
      r.agents.push_back(AgentReport{name, AgentStatus::ok, 20 + rng_.below(900), {}, "", std::nullopt, ""});
    }
    auto add = [&](const Rule& rule) {
      Finding f;
      f.rule = rule.rule;
      f.severity = rule.severity;
      f.path = fmt::format("src/{}.py", rng_.below(20));
      f.line = 1 + rng_.below(200);
      f.end_line = f.line;
      f.message = fmt::format("{} (demo)", rule.rule);
      f.id = make_finding_id(f.rule, f.path, key);
      for (auto& a : r.agents) {
        if (a.name == rule.agent) a.findings.push_back(f);
      }
      findings_.push_back(f);
    };
    findings_.clear();
    if (d == DecisionKind::comment) add(rng_.pick(kWarnings));
    if (d == DecisionKind::request_changes) add(rng_.pick(kErrors));
    if (d == DecisionKind::needs_human) {
      if (rng_.chance(0.12)) {
        r.agents[2].status = AgentStatus::timed_out;
        r.agents[2].error = "deadline of 8000 ms passed";
        r.decision.reasons.push_back("the logic agent timed out");
      } else {
        add(rng_.pick(kHuman));
      }
    }
    r.decision.kind = d;
    r.decision.reasons.push_back(fmt::format("demo decision: {}", to_string(d)));
    s_.record_review(r);
    if (pr.number == 0) return d;  // a local run posts nothing
    // Shadow posts comments, never approvals; dry-run only says what it would post.
    const bool posted = mode != Mode::dry_run;
    const std::string kind = d == DecisionKind::approve && mode == Mode::active ? "review_approve"
                             : posted                                         ? "review_comment"
                                                                              : "would_review_comment";
    s_.record_action({r.run_id, pr.repo, pr.number, kind, posted ? std::to_string(5000 + actions_++) : "",
                      posted ? 200 : 0, "", at(t + r.duration_ms / 1000 + 1)});
    return d;
  }

  void checks(const Pr& pr, std::int64_t merged, bool failing, bool pending) {
    std::vector<audit::CheckResultRecord> rows;
    auto row = [&](const char* source, const char* name, const char* app, const char* result, std::int64_t done,
                   std::int64_t seen, const char* trigger) {
      rows.push_back({pr.repo, pr.number, pr.head, source, name, app, result,
                      fmt::format("https://ci.example.com/{}/{}/{}", pr.repo, pr.number, name),
                      done > 0 ? at(done) : "", at(seen), trigger});
    };
    const std::int64_t before = merged - 600 - rng_.below(3000);
    row("check_run", "build", "github-actions", "success", before - 300, merged + 5, "merged");
    row("check_run", "test", "github-actions", failing ? "failure" : "success", before, merged + 5, "merged");
    row("check_run", "reviewer", "reviewer", "success", before + 60, merged + 5, "merged");
    if (pending) {
      // Merged while coverage was still running; its suite completed later.
      row("status", "ci/coverage", "codecov-bot", "pending", 0, merged + 5, "merged");
      row("status", "ci/coverage", "codecov-bot", "success", merged + 420, merged + 430, "check_suite");
    } else {
      row("status", "ci/coverage", "codecov-bot", "success", before - 60, merged + 5, "merged");
    }
    s_.record_check_results(rows);
  }

  void change(int i, std::int64_t t) {
    const std::string key = fmt::format("change-{}", i);
    const std::string repo = rng_.pick(kRepos);
    const std::string author = rng_.pick(kPeople);
    // A ticket number keeps titles unique: a revert is also matched by title.
    std::string title = fmt::format("{} {} (ACME-{})", rng_.pick(kVerbs), rng_.pick(kThings), 1000 + i);
    if (i == 17) title = kScriptTitle;
    if (i == 42) title = kImgTitle;
    Pr pr = open(repo, title, author, t, key);
    const Mode mode = i < 40 ? Mode::shadow : Mode::active;  // a pilot, then the gate
    const bool override = rng_.chance(0.06);
    t += 60 + rng_.below(600);
    if (override) {
      s_.record_override({repo, pr.number, "human_review", author, std::to_string(100000 + i), at(t)});
      ++n_.overrides;
    }
    const int roll = rng_.below(100);
    DecisionKind d = override ? DecisionKind::needs_human
                     : roll < 50 ? DecisionKind::approve
                     : roll < 72 ? DecisionKind::comment
                     : roll < 88 ? DecisionKind::needs_human
                                 : DecisionKind::request_changes;
    t += 30;
    review(pr, key + ":1", t, d, mode);
    if (d == DecisionKind::request_changes) {
      t += 3600 + rng_.below(86400);  // the author pushes a fix
      pr.head = hex_id(h_.seed, key + ":head2", 40);
      event(pr, "pushed", author, t);
      d = review(pr, key + ":2", t + 30, rng_.chance(0.6) ? DecisionKind::approve : DecisionKind::comment, mode);
    }
    if (!findings_.empty() && rng_.chance(0.35)) {
      const Finding& f = findings_.front();
      s_.record_feedback({repo, pr.number, f.id, f.rule, author, rng_.chance(0.6), "reaction:" + key, at(t + 900)});
    }
    const bool bot = d == DecisionKind::approve && mode == Mode::active;
    const bool person = bot ? rng_.chance(0.15) : rng_.chance(0.93);
    t += 1800 + rng_.below(2 * 86400);
    if (person) event(pr, "approved", kPeople[(static_cast<std::size_t>(i) + 3) % kPeople.size()], t);
    if (!rng_.chance(0.92)) {
      event(pr, "closed", author, t + 600);
      return;
    }
    const std::int64_t merged = t + 300 + rng_.below(86400);
    merge(pr, merged, key, rng_.chance(0.05), rng_.chance(0.04));
    (bot ? n_.bot_approved : person ? n_.human_approved : n_.unapproved) += 1;
    // Reverts at a steady rate per approval kind (3% of the bot's, 7% of
    // people's), placed at random: plain coin flips on a few hundred changes
    // can come out either way round.
    double& credit = bot ? revert_credit_[0] : revert_credit_[1];
    credit += bot ? 0.03 : 0.07;
    if (credit >= 1 && rng_.chance(0.35)) {
      credit -= 1;
      revert(pr, merged + 86400 + rng_.below(20 * 86400), key);
    }
  }

  void merge(const Pr& pr, std::int64_t t, const std::string& key, bool failing, bool pending) {
    checks(pr, t, failing, pending);
    event(pr, "merged", pr.author, t, hex_id(h_.seed, key + ":merge", 40));
    s_.record_delivery({hex_id(h_.seed, key + ":closed", 32), "pull_request", "closed", pr.repo, at(t + 1), true,
                        "queued"});
    ++n_.merged;
    n_.failing_checks += failing ? 1 : 0;
    n_.merged_before_checks += pending ? 1 : 0;
  }

  // A later PR that reverts `original`, merged with a person's approval.
  void revert(const Pr& original, std::int64_t t, const std::string& key) {
    const std::string title = fmt::format("Revert \"{}\"", original.title);
    const std::string author = rng_.pick(kPeople);
    Pr pr = open(original.repo, title, author, t, key + ":revert");
    review(pr, key + ":revert:1", t + 60, DecisionKind::comment, Mode::active);
    event(pr, "approved", kPeople[(static_cast<std::size_t>(original.number) + 5) % kPeople.size()], t + 1200);
    merge(pr, t + 1800, key + ":revert", false, false);
    ++n_.human_approved;
    n_.reverted += static_cast<int>(
        s_.link_reverts(pr.repo, pr.number, title, fmt::format("Reverts {}#{}", original.repo, original.number),
                        at(t + 1800))
            .size());
  }

  // `reviewer review` on a workstation: a local path, no PR, dry-run.
  void local_run(int i, std::int64_t t) {
    Pr pr{"/home/dev/src/acme-web", fmt::format("WIP: {}", kThings[static_cast<std::size_t>(i)]), "dev",
          hex_id(h_.seed, fmt::format("local-{}:head", i), 40), 0};
    review(pr, fmt::format("local-{}", i), t, i % 2 ? DecisionKind::comment : DecisionKind::approve, Mode::dry_run,
           "cli");
    ++n_.local_runs;
  }

  audit::AuditStore& s_;
  const DemoHistory& h_;
  Rng rng_;
  DemoHistoryCounts n_;
  std::map<std::string, std::int64_t> numbers_;
  std::vector<Finding> findings_;  // of the last review
  int actions_ = 0;
  double revert_credit_[2] = {0, 0};  // bot-approved, person-approved
};

}  // namespace

DemoHistoryCounts write_demo_history(audit::AuditStore& store, const DemoHistory& h) {
  return Writer(store, h).run();
}

}  // namespace reviewer
