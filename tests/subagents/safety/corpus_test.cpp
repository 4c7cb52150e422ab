#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <set>
#include <string>

#include "corpus.h"
#include "safety_fixtures.h"
#include "subagents/safety/safety_agent.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::test;

namespace {

const std::string kCorpus = std::string(REVIEWER_SOURCE_DIR) + "/tests/data/safety/";

CorpusScore score(const std::vector<CorpusCase>& cases) {
  auto agent = make_safety_agent();
  CorpusScore s;
  for (const auto& c : cases) {
    auto ctx = c.pr_body ? context_with({}, "Change", c.body) : context_with({c.file});
    score_case(c, agent->review(ctx), s);
  }
  return s;
}

}  // namespace

TEST_SUITE("safety::corpus") {
  TEST_CASE("the corpus has at least 80 positives and 80 hard negatives") {
    auto pos = load_corpus(kCorpus + "positives.cases");
    auto neg = load_corpus(kCorpus + "negatives.cases");
    CHECK(pos.size() >= 80);
    CHECK(neg.size() >= 80);
    for (const auto& c : pos) CHECK_MESSAGE(c.expect != "-", c.where);
    for (const auto& c : neg) CHECK_MESSAGE(c.expect == "-", c.where);
  }

  // make_corpus.py once wrote its secrets18 cases twice (random values,
  // then the same values as literals): a case counted twice weighs twice.
  TEST_CASE("no case is written twice") {
    for (const char* name : {"positives.cases", "negatives.cases"}) {
      std::ifstream in(kCorpus + name);
      REQUIRE(in);
      std::map<std::string, int> first;  // a case's header and lines -> its header's line number
      std::string line, text;
      int n = 0, at = 0;
      auto done = [&]() {
        if (text.empty()) return;
        auto [it, fresh] = first.emplace(text, at);
        CHECK_MESSAGE(fresh, std::string(name) << ":" << at << " repeats the case at line " << it->second);
      };
      while (std::getline(in, line)) {
        ++n;
        if (line.rfind(";;", 0) == 0) continue;
        if (line.rfind("=== ", 0) == 0) {
          done();
          text.clear();
          at = n;
        }
        text += line + "\n";
      }
      done();
    }
  }

  TEST_CASE("corpus markers are removed and checksummed tokens are built at load time") {
    CHECK(expand_corpus_markers("AK<<>>IA") == "AKIA");
    CHECK(expand_corpus_markers("x {{crc:ghp_:zQWBuTSOoRi4A9spHcVY5ncnsDkxkJ}} y") ==
          std::string("x gh") + "p_zQWBuTSOoRi4A9spHcVY5ncnsDkxkJ0mLq17 y");
  }

  TEST_CASE("every case of the corpus gets the rule it expects, and no negative a finding") {
    auto cases = load_corpus(kCorpus + "positives.cases");
    auto neg = load_corpus(kCorpus + "negatives.cases");
    cases.insert(cases.end(), neg.begin(), neg.end());
    auto s = score(cases);
    for (const auto& m : s.misses) MESSAGE("missed: " << m);
    for (const auto& f : s.false_alarms) MESSAGE("false alarm: " << f);
    MESSAGE("safety corpus: " << s.positives << " positives, " << s.negatives << " negatives; recall "
                              << s.recall() * 100 << "%, precision " << s.precision() * 100 << "%");
    CHECK(s.misses.empty());
    CHECK(s.false_alarms.empty());
  }

  TEST_CASE("every shipped rule that fires on lines has at least one positive case") {
    auto cases = load_corpus(kCorpus + "positives.cases");
    std::set<std::string> covered;
    for (const auto& c : cases) covered.insert("safety/" + c.expect);
    auto g = load_guidance_texts({});
    for (const auto& [id, r] : g.section("safety")["rules"].items()) {
      const std::string name = "safety/" + r["kind"].get<std::string>() + "/" + id;
      if (name.find("manifest-new-dependency") != std::string::npos) continue;  // info only
      CHECK_MESSAGE(covered.count(name), name << " has no corpus case");
    }
  }
}
