#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <optional>

#include "history_repo.h"
#include "reviewer/core/error.h"
#include "reviewer/git/repository.h"
#include "reviewer/pipeline/review.h"
#include "reviewer/pipeline/runner.h"
#include "subagents/agent.h"
#include "subagents/history/repository_model.h"

using namespace reviewer;
using test::HistoryRepo;

namespace {

// A review of branch "pr" against main.
ReviewResult review_pr(const HistoryRepo& h) {
  ReviewRequest req;
  req.repo = h.repo.path();
  req.base = "main";
  req.head = "pr";
  return review_repository(req);
}

// A history where big changes to src/core.c by newcomers keep needing
// fixes, and small changes by the regulars do not: 65 bug-introducing
// commits in 260, enough for the repository's own model.
struct LearntRepo : HistoryRepo {
  std::vector<std::string> core;

  LearntRepo() : HistoryRepo("learnt") {
    commit({{"src/core.c", {"int core;\n"}}, {"docs/notes.md", {"notes\n"}}}, "Initial");
    core = {"int core;"};
    for (int i = 0; i < 260; ++i) {
      const std::string n = std::to_string(i);
      if (i % 4 == 0) {
        for (int k = 0; k < 30; ++k) core.push_back("int risky_" + n + "_" + std::to_string(k) + " = " + std::to_string(k) + ";");
        commit({{"src/core.c", {text()}}}, "Rework core part " + n, "new" + n + "@example.com");
      } else if (i % 4 == 1) {
        auto it = std::find(core.begin(), core.end(), "int risky_" + std::to_string(i - 1) + "_0 = 0;");
        *it = "int risky_" + std::to_string(i - 1) + "_0 = 1;";
        commit({{"src/core.c", {text()}}}, "fix: wrong start value in part " + std::to_string(i - 1), "reg1@example.com");
      } else {
        commit({{"src/util_" + n + ".c", {"int util_" + n + ";\n"}}}, "Add helper " + n,
               i % 4 == 2 ? "reg1@example.com" : "reg2@example.com");
      }
    }
  }

  std::string text() const {
    std::string s;
    for (const auto& l : core) s += l + "\n";
    return s;
  }

  // A branch off main: one commit by `author`.
  std::string branch(const std::string& name, const std::map<std::string, git::FileChange>& changes,
                     const std::string& author) {
    repo.set_author(author.substr(0, author.find('@')), author);
    return repo.commit(name, tip, changes, "Change things", time + 3600);
  }

  ReviewResult review(const std::string& head, const std::vector<std::filesystem::path>& guidance = {}) {
    ReviewRequest req;
    req.repo = repo.path();
    req.base = "main";
    req.head = head;
    req.title = "Change things";
    req.body = "This changes things because they needed changing.";
    req.guidance_dirs = guidance;
    return review_repository(req);
  }
};

const AgentReport& history_report(const ReviewResult& r) {
  auto it = std::find_if(r.agents.begin(), r.agents.end(), [](const AgentReport& a) { return a.name == "history"; });
  REQUIRE(it != r.agents.end());
  return *it;
}

std::shared_ptr<const Agent> history_agent() {
  for (auto& a : make_agents()) {
    if (a->name() == "history") return std::shared_ptr<const Agent>(std::move(a));
  }
  FAIL("no history agent registered");
  return nullptr;
}

}  // namespace

TEST_SUITE("history::agent") {
  TEST_CASE("a risky change is held for a person, with the risk and its reasons everywhere") {
    LearntRepo h;
    std::string big;
    for (int k = 0; k < 40; ++k) big += "int fresh_" + std::to_string(k) + " = 0;\n";
    h.branch("risky", {{"src/core.c", {h.text() + big}}}, "stranger@example.com");
    h.branch("calm", {{"src/util_new.c", {"int util_new;\n"}}}, "reg1@example.com");

    auto risky = h.review("risky");
    const AgentReport& rep = history_report(risky);
    CHECK(rep.status == AgentStatus::ok);
    REQUIRE(risky.risk);
    CHECK(risky.risk->model == "repository");
    CHECK(risky.risk->labelled_positives == 65);
    CHECK(risky.risk->indexed_commits == 261);
    CHECK(risky.risk->above_threshold);
    CHECK(risky.risk->probability > risky.risk->threshold);
    CHECK(risky.risk->features.size() == history::kFeatureCount);
    CHECK(risky.decision.kind == DecisionKind::needs_human);
    const auto reason = std::find_if(risky.decision.reasons.begin(), risky.decision.reasons.end(),
                                     [](const std::string& s) { return s.starts_with("revert risk"); });
    REQUIRE(reason != risky.decision.reasons.end());
    auto finding = std::find_if(rep.findings.begin(), rep.findings.end(),
                                [](const Finding& f) { return f.rule == "history/high-risk"; });
    REQUIRE(finding != rep.findings.end());
    CHECK(finding->severity == Severity::warning);
    CHECK(finding->message.find("Revert risk") == 0);
    CHECK(risky.risk->explanation.find("the author's first change in this repository") != std::string::npos);

    auto calm = h.review("calm");
    REQUIRE(calm.risk);
    CHECK_FALSE(calm.risk->above_threshold);
    CHECK(calm.risk->probability < risky.risk->probability);
    CHECK(std::none_of(calm.decision.reasons.begin(), calm.decision.reasons.end(),
                       [](const std::string& s) { return s.starts_with("revert risk"); }));

    // The model was trained once and saved with the index; the threshold
    // can also be an absolute probability from guidance.
    CHECK(std::filesystem::exists(h.repo.path() / "reviewer-history" / "model.json"));
    const auto dir = h.dir / "guidance";
    std::filesystem::create_directories(dir);
    test::write_text(dir / "history.yml", "history:\n  threshold: 1\n");
    auto lenient = h.review("risky", {dir});
    REQUIRE(lenient.risk);
    CHECK_FALSE(lenient.risk->above_threshold);
    CHECK(lenient.risk->threshold_source == "absolute 1.00");
  }

  TEST_CASE("a first change in the repository or in a subsystem is not approved; the author's own area is") {
    LearntRepo h;
    h.branch("stranger", {{"src/util_new.c", {"int util_new;\n"}}}, "stranger@example.com");
    h.branch("new-area", {{"docs/notes.md", {"notes\nmore\n"}}}, "reg1@example.com");
    h.branch("own-area", {{"src/util_new.c", {"int util_new;\n"}}}, "reg1@example.com");
    auto first = [](const ReviewResult& r) {
      const AgentReport& rep = history_report(r);
      auto it = std::find_if(rep.findings.begin(), rep.findings.end(),
                             [](const Finding& f) { return f.rule == "history/first-change"; });
      return it == rep.findings.end() ? std::optional<Finding>() : std::optional<Finding>(*it);
    };
    auto stranger = h.review("stranger");
    REQUIRE(first(stranger));
    CHECK(first(stranger)->severity == Severity::warning);
    CHECK(first(stranger)->message.find("first change in this repository") != std::string::npos);
    CHECK(stranger.decision.kind != DecisionKind::approve);

    auto new_area = h.review("new-area");
    REQUIRE(first(new_area));
    CHECK(first(new_area)->message.find("first change in docs") != std::string::npos);
    CHECK(new_area.decision.kind != DecisionKind::approve);

    auto own = h.review("own-area");
    CHECK_FALSE(first(own));

    // The author is the pull request's: not a bot's autofix commit on top of it, and through .mailmap.
    const std::string work = h.branch("autofixed", {{"src/util_new.c", {"int util_new;\n"}}}, "reg1@example.com");
    h.repo.set_author("pre-commit-ci[bot]", "bot@noreply.github.com");
    h.repo.commit("autofixed", work, {{"src/util_new.c", {"int util_new; \n"}}}, "[pre-commit.ci] auto fixes",
                  h.time + 7200);
    CHECK_FALSE(first(h.review("autofixed")));
    h.commit({{".mailmap", {"Reg One <reg1@example.com> <reg1@home.example>\n"}}}, "Map reg1's addresses",
             "reg1@example.com");
    h.branch("home-address", {{"src/util_new.c", {"int util_new;\n"}}}, "reg1@home.example");
    h.branch("unmapped", {{"src/util_new.c", {"int util_new;\n"}}}, "reg1@elsewhere.example");
    CHECK_FALSE(first(h.review("home-address")));
    CHECK(first(h.review("unmapped")));
    // The pull request's own .mailmap is not read: it could map a stranger onto a maintainer.
    h.branch("self-mapped", {{".mailmap", {"Reg One <reg1@example.com> <reg1@example.com>\nReg One <reg1@example.com> <stranger@example.com>\n"}},
                             {"src/util_new.c", {"int util_new;\n"}}},
             "stranger@example.com");
    CHECK(first(h.review("self-mapped")));

    // A team may turn it off; a repository's own file cannot (not a key it may set).
    const auto dir = h.dir / "off";
    std::filesystem::create_directories(dir);
    test::write_text(dir / "history.yml", "history:\n  first_change: false\n");
    CHECK_FALSE(first(h.review("stranger", {dir})));
  }

  TEST_CASE("too little history: the shipped prior model, and the report says so") {
    HistoryRepo h("thin");
    h.commit({{"src/a.c", {"int a;\n"}}}, "Initial");
    h.repo.set_author("someone", "someone@example.com");
    h.repo.commit("pr", h.tip, {{"src/a.c", {"int a;\nint b;\n"}}}, "Add b", h.time + 60);
    auto r = review_pr(h);
    REQUIRE(r.risk);
    CHECK(r.risk->model == "prior");
    CHECK(r.risk->note.find("insufficient history") == 0);
    const auto& rep = history_report(r);
    CHECK(std::any_of(rep.findings.begin(), rep.findings.end(), [](const Finding& f) {
      return f.rule == "history/insufficient-history" && f.severity == Severity::info;
    }));
  }

  TEST_CASE("a shallow clone uses the prior and says its history is cut") {
    HistoryRepo h("shallow");
    const auto first = h.commit({{"a.c", {"a\n"}}}, "One");
    h.commit({{"a.c", {"b\n"}}}, "Two");
    test::write_text(h.repo.path() / "shallow", first + "\n");
    AgentContext ctx;
    ctx.guidance = load_guidance();
    ctx.repo_path = h.repo.path();
    ctx.pr.base_sha = h.tip;
    ctx.pr.head_sha = h.tip;
    auto out = history_agent()->assess(ctx);
    REQUIRE(out.risk);
    CHECK(out.risk->model == "prior");
    CHECK(out.risk->note.find("shallow") != std::string::npos);
  }

  TEST_CASE("a repository too large for the deadline is reported timed_out, never a stall") {
    HistoryRepo h("late");
    for (int i = 0; i < 5; ++i) h.commit({{"a.c", {std::to_string(i) + "\n"}}}, "Change");
    auto ctx = std::make_shared<AgentContext>();
    ctx->guidance = load_guidance();
    ctx->repo_path = h.repo.path();
    ctx->pr.base_sha = h.tip;
    ctx->pr.head_sha = h.tip;
    ctx->deadline.at = std::chrono::steady_clock::now() - std::chrono::seconds(1);
    CHECK_THROWS_WITH_AS(history_agent()->assess(*ctx), doctest::Contains("history index incomplete"), Error);
    auto reports = run_agents({history_agent()}, *ctx);
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].status == AgentStatus::timed_out);
  }

  TEST_CASE("a base the repository does not have is a clear failure, not a crash") {
    HistoryRepo h("missing");
    h.commit({{"a.c", {"a\n"}}}, "One");
    AgentContext ctx;
    ctx.guidance = load_guidance();
    ctx.repo_path = h.repo.path();
    ctx.pr.base_sha = std::string(40, 'a');
    ctx.pr.head_sha = h.tip;
    CHECK_THROWS_WITH_AS(history_agent()->assess(ctx), doctest::Contains("cannot read commit"), Error);
  }

  TEST_CASE("an index file whose list is forged behind valid checksums fails the agent: the change is not approved") {
    HistoryRepo h("forged-list");
    h.commit({{"src/a.c", {"int a;\n"}}}, "Initial");
    h.commit({{"src/a.c", {"int a;\nint b;\n"}}}, "Add b");
    history::BuildOptions opts;
    opts.dir = history::default_dir(h.repo.get());
    auto ix = *history::update_index(h.repo.get(), h.tip, opts);
    ix.files[0].commits = {1, 0};  // not ascending: read in place, it is caught only when read
    history::save_index(ix, history::index_file(opts.dir));
    history::forget_loaded_indexes();
    h.repo.set_author("someone", "someone@example.com");
    h.repo.commit("pr", h.tip, {{"src/a.c", {"int a;\nint c;\n"}}}, "Change a", h.time + 60);
    const auto r = review_pr(h);
    const AgentReport& rep = history_report(r);
    CHECK(rep.status == AgentStatus::failed);
    CHECK(rep.error.find("bad commit list") != std::string::npos);
    CHECK(r.decision.kind != DecisionKind::approve);
  }

  TEST_CASE("the review's repository is closed before the history index is read: none of its packs stays mapped") {
    HistoryRepo h("closed");
    h.commit({{"src/a.c", {"int a;\n"}}}, "Initial");
    h.commit({{"src/a.c", {"int a;\nint b;\n"}}}, "Add b");
    h.repo.set_author("someone", "someone@example.com");
    h.repo.commit("pr", h.tip, {{"src/a.c", {"int a;\nint c;\n"}}}, "Change a", h.time + 60);
    // libgit2 keeps a pack's delta-base cache and its mappings while any
    // handle on it is open.
    const auto packs = h.repo.path() / "objects" / "pack";
    REQUIRE(test::run_command("git -C '" + h.repo.path().string() + "' repack -a -d -q", nullptr) == 0);
    ReviewRequest req;
    req.repo = h.repo.path();
    req.base = "main";
    req.head = "pr";
    req.refresh_history = true;
    std::string maps;
    req.on_history_refresh = [&](const HistoryRefresh&) {
      std::ifstream in("/proc/self/maps");
      maps.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    };
    const auto r = review_repository(req);
    CHECK(history_report(r).status == AgentStatus::ok);
    REQUIRE_FALSE(maps.empty());
    CHECK(maps.find(packs.string()) == std::string::npos);
  }

  TEST_CASE("the lines before the change are the diff's count of the old blob, which is not read again") {
    HistoryRepo h("old-lines");
    h.commit({{"src/a.c", {"int a;\nint b;\nint c;\n"}}}, "Initial");
    h.repo.set_author("someone", "someone@example.com");
    const std::string head = h.repo.commit("pr", h.tip, {{"src/a.c", {"int a;\nint d;\n"}}}, "Change a", h.time + 60);
    AgentContext ctx;
    ctx.guidance = load_guidance();
    ctx.repo_path = h.repo.path();
    ctx.pr.base_sha = h.tip;
    ctx.pr.head_sha = head;
    ctx.diff = git::Repository::open(h.repo.path()).diff(h.tip, head, h.tip, {});
    REQUIRE(ctx.diff.files.size() == 1);
    auto lines_before = [&] {
      const auto out = history_agent()->assess(ctx);
      REQUIRE(out.risk);
      const auto& f = out.risk->features;
      const auto lt = std::find_if(f.begin(), f.end(), [](const RiskFeature& x) { return x.name == "lt"; });
      REQUIRE(lt != f.end());
      return lt->value;
    };
    CHECK(ctx.diff.files[0].old_lines_read);
    CHECK(ctx.diff.files[0].old_lines == std::optional<std::uint32_t>(3));
    CHECK(lines_before() == 3);
    ctx.diff.files[0].old_lines = 40;  // the agent takes the diff's count
    CHECK(lines_before() == 40);
    ctx.diff.files[0].old_lines_read = false;  // a blob the diff did not read: the agent reads it
    CHECK(lines_before() == 3);
  }

  TEST_CASE("without a repository the agent says it did not judge") {
    AgentContext ctx;
    ctx.guidance = load_guidance();
    auto out = history_agent()->assess(ctx);
    CHECK_FALSE(out.risk);
    REQUIRE(out.findings.size() == 1);
    CHECK(out.findings[0].rule == "history/not-judged");
  }

  TEST_CASE("bad history guidance is an error naming the key") {
    auto g = load_guidance_texts({{"h.yml", "history:\n  approve_share: 2\n"}});
    CHECK_THROWS_WITH_AS(history_agent()->check_guidance(g), doctest::Contains("history.approve_share"), Error);
    auto typo = load_guidance_texts({{"h.yml", "history:\n  aprove_share: 0.5\n"}});
    CHECK_THROWS_WITH_AS(history_agent()->check_guidance(typo), doctest::Contains("unknown key"), Error);
  }
}
