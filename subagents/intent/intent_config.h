// The intent agent's settings, read from the guidance section "intent"
// (guidance/default/intent.yml documents every key), validated and compiled
// once per review. Vocabularies are RE2 alternations matched
// case-insensitively; the ticket pattern is case-sensitive (JIRA-123).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "guidance/guidance.h"
#include "guidance/path_matcher.h"
#include "reviewer/core/finding.h"

namespace re2 { class RE2; }

namespace reviewer::intent {

using Regex = std::shared_ptr<const re2::RE2>;

// The kinds a PR can declare, in precedence order for ties.
inline constexpr std::string_view kKinds[] = {"revert", "deps", "docs", "test", "style", "refactor",
                                              "perf", "ci", "build", "chore", "fix", "feat"};

// The file classes of paths.*; a file in none of them is "source".
// "resources" (translations, text data) is not a class of its own: a file
// there also has one of the others; it only tells the copy check that words
// in it are text, not code.
inline constexpr std::string_view kPathClasses[] = {"docs", "tests", "ci", "build", "manifests",
                                                    "lockfiles", "changelog", "migrations", "resources"};

struct KindVocabulary {
  std::string kind;
  Regex prefixes;      // full match on "type(scope)" or "type"; null when empty
  Regex title_words;   // anchored at the start of the title; null when empty
  std::set<std::string, std::less<>> labels;  // lower case
};

struct Promise {
  std::string name;        // "tests"
  Regex phrases;
  std::string path_class;  // one of kPathClasses
};

struct IntentConfig {
  // description
  int min_body_chars = 20;
  int min_title_words = 2;
  int min_unchecked_boxes = 2;
  Regex vague_titles, why_markers, why_headings, placeholders, wip_title, tentative, tentative_title,
      tentative_unless;
  std::set<std::string, std::less<>> wip_labels;
  // ticket
  bool ticket_required = false;
  Regex ticket;
  // declared kind vs change
  std::vector<KindVocabulary> kinds;
  Regex copy_words, assertion_markers, signature_markers;
  std::map<std::string, PathMatcher, std::less<>> paths;
  // areas and scope
  std::vector<std::string> containers;
  int area_max_depth = 3;
  int narrow_max_areas = 4;
  int min_word_chars = 4;
  std::set<std::string, std::less<>> ignore_words;
  std::vector<Promise> promises;
  Regex negations;
  std::map<std::string, Severity, std::less<>> severity;  // per-rule overrides
  std::set<std::string, std::less<>> off;                // rules with `state: off`
  std::set<std::string, std::less<>> shadow;             // rules with `state: shadow`

  bool in_class(std::string_view path_class, std::string_view path) const;
};

// Reads and validates guidance.section("intent"). Throws reviewer::Error
// (invalid_input) naming the key, e.g. "guidance: intent.ticket.pattern:
// invalid RE2 pattern '(#': missing ): (#".
IntentConfig load_intent_config(const Guidance& guidance);

// The same, memoized per guidance version (a hash of the merged document,
// so one version always compiles to one config): compiling the patterns
// costs more than judging a large PR. Thread-safe; keeps the last 8.
std::shared_ptr<const IntentConfig> intent_config_for(const Guidance& guidance);

// The config of the shipped defaults, built once (thread-safe).
const IntentConfig& default_intent_config();

// Every rule id the agent can report, with its default severity.
const std::map<std::string, Severity, std::less<>>& intent_rules();

}  // namespace reviewer::intent
