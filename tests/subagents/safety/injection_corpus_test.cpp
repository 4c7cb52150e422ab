// Issue 17, item 5: text aimed at an automated reviewer, scored on a corpus
// written before the rules were changed (tests/data/injection).
#include <doctest/doctest.h>

#include <set>

#include "injection_corpus.h"
#include "subagents/safety/safety_agent.h"

using namespace reviewer;
using namespace reviewer::test;

namespace {

const std::string kDir = std::string(REVIEWER_SOURCE_DIR) + "/tests/data/injection/";

std::vector<InjectionCase> all_cases() {
  auto cases = load_injection_corpus(kDir + "positive.jsonl", true);
  auto neg = load_injection_corpus(kDir + "negative.jsonl", false);
  cases.insert(cases.end(), neg.begin(), neg.end());
  return cases;
}

// A set of paraphrases written by one session's helper: each row's source
// names it, and the rules find at least `floor` of them.
void check_paraphrases(const std::string& session, double floor) {
  auto agent = make_safety_agent();
  InjectionScore s;
  for (const auto& c : load_injection_corpus(kDir + "tune" + session + "_positive.jsonl", true)) {
    CHECK_MESSAGE(c.source.starts_with("written by inj" + session + " after "), c.id);
    score_injection(c, agent->review(injection_context(c)), s);
  }
  for (const auto& m : s.misses) MESSAGE("tune" << session << " missed: " << m);
  CHECK(s.positives >= 60);
  CHECK(s.recall() >= floor);
}

}  // namespace

TEST_SUITE("safety::injection_corpus") {
  TEST_CASE("the corpus has at least 60 injection cases and 200 ordinary texts, each with its source") {
    auto pos = load_injection_corpus(kDir + "positive.jsonl", true);
    auto neg = load_injection_corpus(kDir + "negative.jsonl", false);
    CHECK(pos.size() >= 60);
    CHECK(neg.size() >= 200);
    std::set<std::string> categories, positions;
    for (const auto& c : pos) {
      CHECK_MESSAGE(!c.source.empty(), c.id);
      categories.insert(c.category);
      positions.insert(c.where);
    }
    // Ordinary texts come from public repositories, but for the near misses
    // written to test the rules' edges (non-English comments and docs).
    for (const auto& c : neg) CHECK_MESSAGE((c.source.starts_with("https://github.com/") || c.category == "near-miss"), c.id);
    for (const char* cat : {"approve", "ignore", "suppress", "fake-system", "fake-policy", "fake-ci", "role-play",
                            "encoded", "reveal"}) {
      CHECK_MESSAGE(categories.count(cat) == 1, cat);
    }
    for (const char* where : {"title", "body", "commit", "comment", "doc", "string"}) {
      CHECK_MESSAGE(positions.count(where) == 1, where);
    }
  }

  TEST_CASE("recall is at least 90% and false positives at most 2% of the ordinary texts") {
    auto agent = make_safety_agent();
    InjectionScore s;
    for (const auto& c : all_cases()) score_injection(c, agent->review(injection_context(c)), s);
    for (const auto& m : s.misses) MESSAGE("missed: " << m);
    for (const auto& f : s.false_alarms) MESSAGE("false alarm: " << f);
    MESSAGE("injection corpus: " << s.positives << " positives, " << s.negatives << " negatives; recall "
                                 << s.recall() * 100 << "%, false positives " << s.fp_rate() * 100 << "%");
    CHECK(s.recall() >= 0.90);
    CHECK(s.fp_rate() <= 0.02);
  }

  // Written after the rules, to estimate how they do on text they were not
  // written against. Set 1 scored recall 30% before it was used to widen
  // the rules; set 2 (with the hard negatives of an LLM tool's history)
  // scored 36.7%, then 60% after one change (the bot vocabulary as a
  // vocative and as the subject of "must/should"), bench/README.md. Set 3
  // (tune) scored 35.3% and was then read to write general shapes (an
  // addressee named by what it does to the text, a dictated outcome, the
  // bot's instructions named by how it got them): 100% in-sample, and sets
  // 1 and 2 rose with it. Set 4 was the check set of session 19 (54.9%,
  // scored once); in session 20 its 23 misses were read and became tune
  // data (a dictated record or closing line, precedence over what the bot
  // was told, the bot named by what it does, tag characters read as text):
  // 100% in-sample, and set 2's last miss (letters shifted by one) with it.
  // Set 5 was session 20's blind set (66.2%, 9 false alarms of 148); in
  // session 21 its 22 misses and 9 false alarms were read and became tune
  // data (the reviewer named by how it is built or what it does, a result
  // said to be settled, checks said to be off, acts outside the review,
  // Turkish; HTML comments that only mention a bot, co-author trailers of
  // bots): 100% and no false alarm, in-sample.
  // Set 6 was session 21's blind set (42.2%, 5 false alarms of 163); in
  // session 22 it was split by row (odd rows A, even rows B), a structural
  // rule (an addressee and a directive or a claim of authority in one
  // sentence, prompt-injection-addressed-directive) was written from A's
  // misses only, B scored 34.1% -> 41.5% (its honest figure), and then B's
  // misses were read too: 97.6% in-sample; its 5 false alarms (docs about
  // prompt injection, system prompts of AI tools) are the old rules' and
  // stay.
  // Set 7 was session 22's blind set (40.0%, 3 false alarms of 161); in
  // session 23 it was split the same way, the structural rule's lexicons
  // were widened from A's misses only, B scored 43.2% -> 43.2% (its honest
  // figure: no gain), and then B's misses and the set's false alarms were
  // read too (addressees named by what they do to the change, a label
  // addressee reaching to the paragraph's end, one-word vocatives only
  // where a clause starts, system-role chat messages of LLM clients).
  // Set 8 was session 23's blind set (42.9%, 5 false alarms of 165); in
  // session 24 it was split the same way and three paraphrases of each of
  // A's 23 misses were written first (tune24_positive.jsonl); the rules
  // written from them left B at 17 of 38 before and after (no gain again);
  // then B was read (in-sample from there). Its 5 false alarms are the old
  // rules' (docs about injection, an AGENTS.md rule, "tool approval").
  // The floors are the measured levels minus a case or so, and no set may
  // raise more false alarms than it did.
  // Paraphrases of heldout8 half A's misses, three each, written before the
  // session 24 rules (other words, other languages): in-sample.
  TEST_CASE("the paraphrases written for session 24 stay found") {
    check_paraphrases("24", 0.95);
  }

  // Paraphrases of heldout9 half A's misses (session 25), written the same way
  // before the session 25 rules: in-sample. Set 9 (51.9%, 2 false alarms of
  // 155) was split by row parity; the rules from A and these left B at 24 ->
  // 25 of 40; then B was read (in-sample from there).
  TEST_CASE("the paraphrases written for session 25 stay found") {
    check_paraphrases("25", 0.89);
  }

  // Set 10 was session 25's blind set (60.9%); in session 26 its half A was
  // read (rules and tune26 from it), half B scored 26 -> 27 of 46 (the honest
  // figure), then B was read: 85.9% in-sample; its 3 false alarms are the old
  // rules' ("approve any LLM sampling requests" in MCP's specification).
  // Paraphrases of heldout10 half A's misses (session 26), three per class, and
  // three per reading the session added (accents, Armenian and Cherokee
  // look-alikes, identifiers, docstrings and block comments): in-sample. Set 10
  // (60.9%, 3 false alarms of 148) was split by row parity (odd rows A).
  TEST_CASE("the paraphrases written for session 26 stay found") {
    check_paraphrases("26", 0.95);
  }

  TEST_CASE("on the held-out sets written after the rules, recall and false positives stay at their measured level") {
    struct Set {
      std::string name;
      double min_recall;
      std::size_t max_false_alarms;
    };
    for (const Set& set : {Set{"heldout", 0.975, 0}, Set{"heldout2", 0.96, 0}, Set{"heldout3", 0.96, 0},
                          Set{"heldout4", 0.96, 0},
                          Set{"heldout5", 0.96, 0}, Set{"heldout6", 0.96, 5},
                          Set{"heldout7", 0.96, 0}, Set{"heldout8", 0.90, 5}, Set{"heldout9", 0.95, 2},
                          Set{"heldout10", 0.84, 3}}) {
      CAPTURE(set.name);
      auto cases = load_injection_corpus(kDir + set.name + "_positive.jsonl", true);
      auto neg = load_injection_corpus(kDir + set.name + "_negative.jsonl", false);
      CHECK(cases.size() >= 30);
      CHECK(neg.size() >= 100);
      cases.insert(cases.end(), neg.begin(), neg.end());
      auto agent = make_safety_agent();
      InjectionScore s;
      for (const auto& c : cases) score_injection(c, agent->review(injection_context(c)), s);
      for (const auto& m : s.misses) MESSAGE(set.name << " missed: " << m);
      for (const auto& f : s.false_alarms) MESSAGE(set.name << " false alarm: " << f);
      MESSAGE(set.name << ": " << s.positives << " positives, " << s.negatives << " negatives; recall "
                       << s.recall() * 100 << "%, false positives " << s.fp_rate() * 100 << "%");
      CHECK(s.recall() >= set.min_recall);
      CHECK(s.false_alarms.size() <= set.max_false_alarms);
    }
  }
}
