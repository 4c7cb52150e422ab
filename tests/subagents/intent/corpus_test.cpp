#include <doctest/doctest.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "intent_fixture.h"
#include "subagents/intent/intent_agent.h"
#include "support/testutil.h"

using namespace reviewer;
using nlohmann::json;

namespace {

ChangeKind change_kind(const std::string& s) {
  if (s == "added") return ChangeKind::added;
  if (s == "deleted") return ChangeKind::deleted;
  if (s == "renamed") return ChangeKind::renamed;
  return ChangeKind::modified;
}

Diff diff_from(const json& files) {
  Diff d;
  for (const auto& jf : files) {
    FileDiff fd;
    fd.kind = change_kind(jf.value("status", "modified"));
    const std::string path = jf.at("path").get<std::string>();
    if (fd.kind != ChangeKind::added) fd.old_path = path;
    if (fd.kind != ChangeKind::deleted) fd.new_path = path;
    fd.generated = jf.value("generated", false);
    fd.vendored = jf.value("vendored", false);
    fd.binary = jf.value("binary", false);
    int old_line = 1, new_line = 1;
    std::deque<std::string> texts;  // until the file owns its text
    for (const auto& jl : jf.at("lines")) {
      const std::string& l = texts.emplace_back(jl.get<std::string>());
      if (l.starts_with("@@") || fd.hunks.empty()) {
        if (l.starts_with("@@")) old_line = new_line = std::max(1, std::atoi(l.c_str() + 2));
        Hunk h;
        h.old_start = fd.kind == ChangeKind::added ? 0 : old_line;
        h.new_start = fd.kind == ChangeKind::deleted ? 0 : new_line;
        fd.hunks.push_back(h);
        if (l.starts_with("@@")) continue;
      }
      DiffLine dl;
      dl.content = std::string_view(l).substr(l.empty() ? 0 : 1);
      switch (l.empty() ? ' ' : l[0]) {
        case '+': dl.origin = LineOrigin::added; dl.new_line = new_line++; ++fd.additions; break;
        case '-': dl.origin = LineOrigin::deleted; dl.old_line = old_line++; ++fd.deletions; break;
        default: dl.origin = LineOrigin::context; dl.old_line = old_line++; dl.new_line = new_line++;
      }
      fd.hunks.back().lines.push_back(std::move(dl));
    }
    own_text(fd);
    d.files.push_back(std::move(fd));
  }
  return d;
}

struct Outcome {
  std::string name, label;
  bool flagged = false;
  std::string rules;
};

Outcome run_case(const std::filesystem::path& file) {
  const json c = json::parse(test::read_text(file));
  Outcome o;
  o.name = file.stem().string();
  o.label = c.at("label").get<std::string>();
  AgentContext ctx;
  ctx.pr.title = c.at("title").get<std::string>();
  ctx.pr.body = c.at("body").get<std::string>();
  ctx.pr.labels = c.value("labels", std::vector<std::string>{});
  ctx.pr.draft = c.value("draft", false);
  ctx.diff = diff_from(c.at("files"));
  std::vector<std::pair<std::string, std::string>> docs;
  if (c.contains("guidance")) docs.emplace_back(o.name + ".yml", c["guidance"].get<std::string>());
  ctx.guidance = load_guidance_texts(docs);
  std::optional<Diff> reverted;
  if (c.contains("reverted")) {
    reverted = diff_from(c["reverted"]);
    ctx.repo_path = "corpus";
  }
  auto agent = make_intent_agent(
      [&](const std::filesystem::path&, std::string_view) { return reverted; });
  const auto findings = agent->review(ctx);
  const auto expect = c.value("expect", std::vector<std::string>{});
  for (const auto& f : findings) {
    if (f.severity < Severity::warning) continue;
    o.rules += (o.rules.empty() ? "" : ", ") + f.rule;
    // A mismatch counts only when one of its expected rules fires.
    if (o.label == "match" || std::find(expect.begin(), expect.end(), f.rule) != expect.end()) o.flagged = true;
  }
  return o;
}

}  // namespace

TEST_SUITE("intent corpus") {
  TEST_CASE("the agent flags at least 90% of mismatching PRs and at most 10% of matching ones") {
    const std::filesystem::path dir = std::filesystem::path(REVIEWER_SOURCE_DIR) / "tests/data/intent";
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.path().extension() == ".json") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 40);
    int match = 0, match_flagged = 0, mismatch = 0, mismatch_flagged = 0;
    for (const auto& file : files) {
      Outcome o = run_case(file);
      REQUIRE_MESSAGE((o.label == "match" || o.label == "mismatch"), o.name);
      if (o.label == "match") {
        ++match;
        match_flagged += o.flagged;
      } else {
        ++mismatch;
        mismatch_flagged += o.flagged;
      }
      if ((o.label == "match") == o.flagged) {
        std::cout << "  intent corpus: " << (o.flagged ? "false alarm " : "missed      ") << o.name << " ["
                  << (o.rules.empty() ? "no findings" : o.rules) << "]\n";
      }
    }
    REQUIRE(match > 0);
    REQUIRE(mismatch > 0);
    const double hit = 100.0 * mismatch_flagged / mismatch, false_alarm = 100.0 * match_flagged / match;
    std::cout << "intent corpus: " << mismatch_flagged << "/" << mismatch << " mismatches flagged (" << hit << "%), "
              << match_flagged << "/" << match << " matching PRs flagged (" << false_alarm << "%)\n";
    CHECK(hit >= 90.0);
    CHECK(false_alarm <= 10.0);
  }
}
