// The logic agent's rules, read from guidance section "logic" and compiled
// once per guidance version. Every rule has an id, a severity, a one-sentence
// why and a fix; it is either a list of RE2 patterns over diff lines or the
// name of a built-in check (for what a regex cannot say: self-comparison,
// identical branches, tracing through the repository, ...).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <re2/re2.h>

#include "guidance/guidance.h"
#include "guidance/path_matcher.h"
#include "reviewer/core/finding.h"
#include "reviewer/git/index/language.h"

namespace reviewer::logic {

enum class View { code, raw, comment };     // which text of a line a pattern sees
enum class Side { added, deleted };

struct Pattern {
  std::vector<index::Lang> languages;       // empty: every language
  std::shared_ptr<const RE2> match;
  std::shared_ptr<const RE2> exclude;       // the line must not match this
  std::shared_ptr<const RE2> next;          // the next line on the same side must match this
  std::shared_ptr<const RE2> unless_added;  // deleted-line rules: a replacement in the hunk
  std::shared_ptr<const RE2> unless_deleted;// deleted-line rules: the hunk removes more (a whole function)
  std::shared_ptr<const RE2> requires_added;  // deleted-line rules: an added line of the hunk must match (a replacement, not a removal)
  std::shared_ptr<const RE2> unless_shown;  // added-line rules: a new-side line of the file shown (context or added) matches
  View view = View::code;
  Side side = Side::added;
  PathMatcher paths;                        // empty: every path
  PathMatcher exclude_paths;
  bool only_tests = false, skip_tests = false;
  bool skip_added_files = false;            // a file the change adds is not read (nothing ran there before)

  bool applies_to(index::Lang lang) const;
};

struct Rule {
  std::string id;                            // "logic/assign-in-condition"
  Severity severity = Severity::warning;
  std::string why, fix;
  std::string check;                         // built-in check name, or empty
  std::vector<index::Lang> languages;        // for checks; empty: every language
  int min_lines = 5;                         // commented-out-code
  std::vector<Pattern> patterns;
  bool enabled = true;                       // false: `state: off` (or the older `enabled: false`)
  bool shadow = false;                       // `state: shadow`: runs, audited, never posted or counted

  bool applies_to(index::Lang lang) const;
};

struct TestConfig {
  PathMatcher test_paths;                    // what counts as a test file
  std::map<index::Lang, std::vector<std::string>> mapping;  // source -> test path templates
  int min_added_lines = 3;                   // smaller source changes need no test change
};

struct TracingConfig {
  int max_evidence = 10;                     // locations listed per finding
  int min_name_length = 3;                   // shorter names are too common to trace
  int max_literal_hits = 25;                 // more occurrences than this: too common to be coupled
};

struct Config {
  std::vector<Rule> rules;                   // sorted by id
  TestConfig tests;
  TracingConfig tracing;

  const Rule* rule(std::string_view id) const;  // nullptr when absent or disabled
};

// Throws reviewer::Error (invalid_input) naming "logic.rules.<id>.<key>" and
// the bad value for unknown keys, wrong types, bad severities or regexes.
Config load_config(const Guidance& guidance);

}  // namespace reviewer::logic
