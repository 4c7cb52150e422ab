// The safety rules, compiled. Rules are data (the guidance "safety" section,
// shipped in guidance/default/safety.yml); this file checks them and builds
// their sieves once per guidance version, and compiles each pattern into an
// RE2 program the first time a scan runs it (LazyRE2). See safety.yml for
// the field meanings.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "guidance/guidance.h"
#include "guidance/path_matcher.h"
#include "reviewer/core/finding.h"

namespace re2 {
class RE2;
class FilteredRE2;
}  // namespace re2

namespace reviewer::safety {

// A rule's pattern, compiled by RE2 the first time it is run: a review runs
// a handful of the ~1,000 shipped patterns (those its sieve names), and
// compiling them all was most of its start. Checked before it is built
// (compile_rules: RE2 accepts it, and it does not match empty text; for a
// shipped pattern, at build time with the same options), so get() can only
// fail if RE2 cannot compile it again (then it throws reviewer::Error,
// never returns a pattern that matches nothing). Thread-safe.
class LazyRE2 {
 public:
  // `pattern` as the team wrote it; compiled as "(?m)" + pattern with the
  // options of a line pattern (`lines`) or of PR text. `compiled`: already
  // compiled so (a pattern compile_rules had to check itself), or null.
  LazyRE2(std::string pattern, bool lines, std::unique_ptr<re2::RE2> compiled = {},
          std::unique_ptr<re2::FilteredRE2> filter = {});
  ~LazyRE2();
  LazyRE2(const LazyRE2&) = delete;
  LazyRE2& operator=(const LazyRE2&) = delete;

  const re2::RE2& get() const;
  // A new RE2 of the pattern as get() compiles it, the caller's own (throws
  // as get() does); PatternScope's.
  std::unique_ptr<re2::RE2> compile() const;
  bool compiled() const { return re_.load(std::memory_order_acquire) != nullptr; }
  const std::string& pattern() const { return pattern_; }

 private:
  std::string pattern_;
  bool lines_;
  mutable std::once_flag once_;
  mutable std::unique_ptr<re2::RE2> own_;
  std::unique_ptr<re2::FilteredRE2> filter_;  // holds the RE2 compile_rules built to find its atoms
  mutable std::atomic<const re2::RE2*> re_{nullptr};
};

enum class RuleKind { secret, code, file, hidden };

// What makes a rule fire: a pattern on added lines, or a fact about a file.
enum class Trigger { line, added, deleted, executable, symlink, symlink_outside, binary, submodule, host_moved };

struct Rule {
  std::string id;    // "aws-access-key"
  std::string name;  // "safety/secret/aws-access-key": the finding's rule
  RuleKind kind = RuleKind::code;
  Trigger trigger = Trigger::line;
  Severity severity = Severity::warning;
  std::string message, why, fix;
  bool on_lines = true;     // scope: added lines of the diff
  bool on_pr_text = false;  // scope: the PR's title, body and commit messages
  bool on_names = false;    // scope: the branch name and file paths
  // Patterns for lines and names (never match a newline) and for PR text
  // (may span lines). A named group "secret" marks the credential; else
  // the match. Entry `i` of the line (text) prefilter that names this rule
  // and pattern k is line_patterns[k] (text_patterns[k]).
  std::vector<std::shared_ptr<const LazyRE2>> line_patterns, text_patterns;
  std::shared_ptr<const LazyRE2> unless;    // a hit on the same line cancels
  bool unless_on_match = false;  // `unless_reads: match`: a hit inside the match cancels, not one elsewhere on its line
  std::shared_ptr<const LazyRE2> requires_; // must also occur in the file's shown lines
  std::shared_ptr<const LazyRE2> unless_file; // occurring on one of the file's shown lines cancels the rule there
  // A hit that runs to its line's end (an if opening a block) counts only
  // when the next shown line matches this (the block hands the request on);
  // a next line not shown keeps the hit.
  std::shared_ptr<const LazyRE2> then;
  // `then_added: true`: the `then` line must be one the change adds, unless
  // the hit's line replaces a deleted line: an if put in front of code that
  // ran before narrows it (session 26).
  bool then_added = false;
  // A hit is dropped when the first shown code line among the seven shown
  // lines after it matches `unless_next` (a public ping route below
  // [AllowAnonymous]), or when a code line among the six shown lines above
  // it in a row matches `unless_above` (a guard that returns before the
  // use); blank lines, comment lines and one-line log calls are passed
  // over, never matched.
  std::shared_ptr<const LazyRE2> unless_next, unless_above;
  // A hit counts only when its YAML parent (the nearest shown line above
  // it with less indentation, blank and comment lines passed over)
  // matches this; a parent the diff does not show keeps the hit.
  std::shared_ptr<const LazyRE2> parent;
  std::uint64_t languages = 0;  // bit per language; 0 = any file
  PathMatcher paths, exclude_paths;
  double min_entropy = 0.0;
  std::size_t min_length = 0;
  bool github_checksum = false;
  bool issued_jwt_in_tests = false;  // under test paths, only a JWT with an issuer's claims (jwt_issued)
  bool generic = false;       // a generic secret yields to a specific one on the same span
  bool placeholders = true;   // placeholder values are not secrets
  bool once = false;          // report the first hit per file only
  bool decoded = false;       // also matched on the text de-obfuscated (deobfuscate.h)
  bool shadow = false;        // state shadow: reported and audited, never posted or counted
};

struct RuleSet {
  std::string version;  // the guidance version it was compiled from
  std::vector<Rule> rules;
  std::vector<std::string> language_names;
  std::vector<PathMatcher> language_matchers;  // parallel to language_names
  PathMatcher test_paths;
  Severity test_severity = Severity::info;
  std::shared_ptr<const re2::RE2> placeholder;  // any placeholder value
  int max_per_rule_per_file = 20;
  bool has_decoded = false;  // some rule is `decoded`: the scan reads the decoded text too

  // The sieves (prefilter.h): which patterns may match a text; entries map
  // their indices back to (rule, pattern).
  struct Prefilter;
  std::shared_ptr<const Prefilter> line_set, text_set;
  // line_set's entries of the secret rules alone, sieved as there (the same
  // candidates among them, in the same order): for the redactor's spans,
  // which run only secret rules. Built on first use (thread-safe): in the
  // CLI that is the redactor's, after the safety agent's scan, whose end is
  // a review's peak of memory. Null when line_set has no entry.
  const Prefilter* secret_sieve() const;

 private:
  mutable std::once_flag secret_once_;
  mutable std::shared_ptr<const Prefilter> secret_set_;

 public:

  // Languages of a path, as a bit mask over language_names.
  std::uint64_t languages_of(const std::string& path) const;
};

// Compiles a "safety" section. Throws reviewer::Error (invalid_input) naming
// the rule id and the field on any invalid or missing field, any pattern
// RE2 rejects and any pattern that matches empty text. Patterns are checked
// here (a shipped one at build time) and compiled on first use.
std::shared_ptr<const RuleSet> compile_rules(const nlohmann::json& section, std::string version);

// compile_rules for guidance.section("safety"), cached by guidance.version;
// safe to call from several threads.
std::shared_ptr<const RuleSet> rules_for(const Guidance& guidance);

}  // namespace reviewer::safety
