// Issue 17, item 6: secrets recall and precision on a corpus covering the
// gitleaks and secretlint rule sets and the categories found missing
// (tests/data/secrets, written before the rules were changed).
#include <doctest/doctest.h>

#include <set>

#include "secrets_corpus.h"
#include "subagents/safety/safety_agent.h"

using namespace reviewer;
using namespace reviewer::test;

namespace {

const std::string kDir = std::string(REVIEWER_SOURCE_DIR) + "/tests/data/secrets/";

std::vector<SecretCase> load_all() {
  auto cases = load_secret_corpus(kDir + "positive.jsonl", true);
  auto neg = load_secret_corpus(kDir + "negative.jsonl", false);
  cases.insert(cases.end(), neg.begin(), neg.end());
  return cases;
}

// Scores a held-out set (`name`_positive/_negative.jsonl), listing its
// misses and false alarms; checks it holds at least the rows it was written with.
SecretScore score_set(const std::string& name, std::size_t min_positives, std::size_t min_negatives) {
  auto cases = load_secret_corpus(kDir + name + "_positive.jsonl", true);
  auto neg = load_secret_corpus(kDir + name + "_negative.jsonl", false);
  CHECK(cases.size() >= min_positives);
  CHECK(neg.size() >= min_negatives);
  cases.insert(cases.end(), neg.begin(), neg.end());
  auto agent = make_safety_agent();
  SecretScore s;
  for (const auto& c : cases) score_secret_case(c, agent->review(secret_context(c)), s);
  for (const auto& m : s.misses) MESSAGE("missed: " << m);
  for (const auto& f : s.false_alarms) MESSAGE("false alarm: " << f);
  return s;
}

}  // namespace

TEST_SUITE("safety::secrets_corpus") {
  TEST_CASE("the corpus covers the gitleaks and secretlint rule sets and the categories issue 17 names") {
    auto pos = load_secret_corpus(kDir + "positive.jsonl", true);
    auto neg = load_secret_corpus(kDir + "negative.jsonl", false);
    std::size_t gitleaks = 0, secretlint = 0;
    std::set<std::string> categories;
    for (const auto& c : pos) {
      gitleaks += c.source.rfind("gitleaks:", 0) == 0;
      secretlint += c.source.rfind("secretlint:", 0) == 0;
      categories.insert(c.category);
    }
    CHECK(gitleaks >= 200);
    CHECK(secretlint >= 25);
    for (const char* cat : {"key-in-string", "key-in-yaml-block", "connection-string", "registry-auth", "vendor"}) {
      CHECK_MESSAGE(categories.count(cat) == 1, cat);
    }
    CHECK(neg.size() >= 120);
  }

  TEST_CASE("recall and precision are both at least 97%") {
    auto cases = load_all();
    auto agent = make_safety_agent();
    SecretScore s;
    for (const auto& c : cases) score_secret_case(c, agent->review(secret_context(c)), s);
    for (const auto& m : s.misses) MESSAGE("missed: " << m);
    for (const auto& f : s.false_alarms) MESSAGE("false alarm: " << f);
    MESSAGE("secrets corpus: " << s.positives << " positives, " << s.negatives << " negatives; recall "
                               << s.recall() * 100 << "%, precision " << s.precision() * 100 << "%");
    CHECK(s.recall() >= 0.97);
    CHECK(s.precision() >= 0.97);
  }

  TEST_CASE("the held-out set: recall and precision at least 97% (in-sample since secrules19)") {
    // Written blind to the rules; its first score was recall 84.9% and
    // precision 95.7%. Its 16 misses and 4 false alarms were then fixed as
    // classes, so it no longer measures rules it has not seen.
    const SecretScore s = score_set("heldout", 100, 170);
    CHECK(s.recall() >= 0.97);
    CHECK(s.precision() >= 0.97);
  }

  // heldout2-6 were each written blind, scored once, then opened as tune
  // data (heldout4 in session 23: 91.8% -> 97.9%, 2 -> 0 false alarms;
  // heldout6 in session 25: 89.3% -> 98.2%, 4 -> 0).
  // Floors: the measured recall minus about a case; no new false alarm.
  // The misses left are GitHub and npm tokens whose checksum is invalid,
  // judged as not live on purpose.
  TEST_CASE("the later held-out sets, opened as tune data, stay at their measured level") {
    struct Set {
      std::string name;
      double min_recall;
      int max_false_alarms;
    };
    for (const Set& set : {Set{"heldout2", 0.93, 0}, Set{"heldout3", 0.97, 0}, Set{"heldout4", 0.97, 0}, Set{"heldout5", 0.97, 0}, Set{"heldout6", 0.97, 0}, Set{"heldout7", 0.96, 0}}) {
      CAPTURE(set.name);
      const SecretScore s = score_set(set.name, 90, 100);
      CHECK(s.recall() >= set.min_recall);
      CHECK(s.false_positives <= set.max_false_alarms);
    }
  }

  // tune24 after heldout5's misses, tune25 after heldout6's, tune26 after heldout7's.
  TEST_CASE("the cases written after a held-out set's misses (tune24, tune25, tune26) are all found, and none of their near misses") {
    for (const std::string set : {"tune24", "tune25", "tune26"}) {
      CAPTURE(set);
      const SecretScore s = score_set(set, 16, 12);
      CHECK(s.misses.empty());
      CHECK(s.false_alarms.empty());
    }
  }

  TEST_CASE("red17's missed shapes are all found, and none of their near misses") {
    auto cases = load_all();
    auto agent = make_safety_agent();
    SecretScore s;
    std::size_t red17 = 0;
    for (const auto& c : cases) {
      if (c.source.rfind("red17", 0) != 0) continue;
      ++red17;
      score_secret_case(c, agent->review(secret_context(c)), s);
    }
    for (const auto& m : s.misses) MESSAGE("missed: " << m);
    for (const auto& f : s.false_alarms) MESSAGE("false alarm: " << f);
    CHECK(red17 >= 50);
    CHECK(s.misses.empty());
    CHECK(s.false_alarms.empty());
  }
}
