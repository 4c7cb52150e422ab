// The safety rules, compiled. Rules are data (the guidance "safety" section,
// shipped in guidance/default/safety.yml); this file turns them into RE2
// programs once per guidance version. See safety.yml for the field meanings.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "guidance/guidance.h"
#include "guidance/path_matcher.h"
#include "reviewer/core/finding.h"

namespace re2 { class RE2; }

namespace reviewer::safety {

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
  // the match.
  std::vector<std::shared_ptr<const re2::RE2>> line_patterns, text_patterns;
  std::shared_ptr<const re2::RE2> unless;    // a hit on the same line cancels
  bool unless_on_match = false;  // `unless_reads: match`: a hit inside the match cancels, not one elsewhere on its line
  std::shared_ptr<const re2::RE2> requires_; // must also occur in the file's shown lines
  std::shared_ptr<const re2::RE2> unless_file; // occurring on one of the file's shown lines cancels the rule there
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

  // One pass over a file's added lines (joined by '\n') finds every rule
  // that may match; entries map set indices back to (rule, pattern).
  struct Prefilter;
  std::shared_ptr<const Prefilter> line_set, text_set;

  // Languages of a path, as a bit mask over language_names.
  std::uint64_t languages_of(const std::string& path) const;
};

// Compiles a "safety" section. Throws reviewer::Error (invalid_input) naming
// the rule id and the field on any invalid or missing field or any pattern
// RE2 rejects.
std::shared_ptr<const RuleSet> compile_rules(const nlohmann::json& section, std::string version);

// compile_rules for guidance.section("safety"), cached by guidance.version;
// safe to call from several threads.
std::shared_ptr<const RuleSet> rules_for(const Guidance& guidance);

}  // namespace reviewer::safety
