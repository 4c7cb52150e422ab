// Small pieces shared by the line scanner and the scanner of the PR's other
// texts (title, body, commit messages, branch name, paths): how a matched
// value is judged a secret, and how text is cleaned for evidence.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>

#include "reviewer/core/finding.h"
#include "subagents/safety/rules.h"
#include "subagents/safety/secret_spans.h"

namespace reviewer::safety {

constexpr std::size_t kEvidenceContext = 60;  // bytes shown either side of a hit
constexpr std::size_t kEvidenceMax = 200;

inline re2::StringPiece piece(std::string_view s) { return re2::StringPiece(s.data(), s.size()); }

// Index of the named group "secret", or 0 (the whole match).
int secret_group(const re2::RE2& re);

enum class Verdict { secret, not_secret, bad_checksum };

// Is a matched value a credential worth reporting? (length, placeholders,
// entropy, checksum, as the rule asks)
Verdict judge_secret(const RuleSet& rules, const Rule& rule, std::string_view value);
bool plausible_secret(const RuleSet& rules, const Rule& rule, std::string_view value);

// Where one pattern `re` of the secret rule `rule` finds a plausible value
// in `text`, in order: secret_spans for one pattern (the safety agent's
// scan records them for the redactor). `*matched` (if given): whether `re`
// matched anywhere in `text`, plausible or not.
std::vector<SecretSpan> secret_spans_of(const RuleSet& rules, const Rule& rule, const re2::RE2& re,
                                        std::string_view text, bool* matched = nullptr);

// The text with every plausible secret value (by the secret rules) replaced
// by "[REDACTED]": PR text shown as evidence may hold a pasted credential.
std::string without_secrets(const RuleSet& rules, std::string_view text);

// A text outside the diff's lines and where it is: the title, the body or
// a commit message (rules with scope pr; text patterns, which may span
// lines), or the branch name or a file path (scope names; line patterns).
struct TextPosition {
  std::string label;  // starts the evidence: "title", "commit 2 of 3", "branch", "path"
  bool name = false;  // the branch name or a file path
  std::string path;   // the findings' path, for a file path
};

// Patterns compiled for one scan, freed with it. The CLI's `review` runs
// one review per process, so nothing is gained by keeping a pattern for
// PR text (title, body, commit messages) in the rule set once those are
// read: with a scope, scan_position compiles them here, and the file scan
// that follows reuses their memory (their programs and DFAs: 173 patterns,
// 241,194 RE2 instructions on git.git's last 57 commits, half of the
// review's). A pattern the rule set holds compiled already is used as it
// is; one that fails to compile throws as LazyRE2::get() does.
class PatternScope {
 public:
  const re2::RE2& get(const LazyRE2& pattern);
  std::size_t size() const { return own_.size(); }

 private:
  std::map<const LazyRE2*, std::unique_ptr<re2::RE2>> own_;
};

// One finding per rule not yet in `reported`, at its first hit that passes
// the rule's filters; the rule is then added to `reported`. `decoded_only`:
// only the rules marked `decoded` (the text is a de-obfuscated reading).
// `scope`: where the PR-text patterns are compiled (null: in the rule set;
// the line patterns a name is read with always are).
void scan_position(const RuleSet& rules, const TextPosition& at, const std::string& text,
                   std::vector<const Rule*>& reported, std::vector<Finding>& out, bool decoded_only = false,
                   PatternScope* scope = nullptr);

}  // namespace reviewer::safety
