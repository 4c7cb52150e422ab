// CODEOWNERS as GitHub reads it (docs: "About code owners"): the first of
// .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS that exists at the PR's
// BASE commit (a PR cannot name its own reviewers); files of 3 MB or more
// are ignored; one rule per line, `pattern owner...`; `#` starts a comment
// (also after the owners); gitignore-like patterns, case-sensitive, where
// the LAST matching rule wins and a rule without owners leaves its paths
// unowned. GitHub does not support `!` negation, `[ ]` ranges or `\`
// escapes: such lines are invalid and skipped, as GitHub skips them.
//
// Pattern semantics (GitHub's documented examples, tests/commands):
//   *.js          any .js file at any depth
//   apps/         everything under any folder named apps
//   /build/logs/  everything under build/logs at the root
//   docs/*        direct children of docs/ only (not docs/a/b.md)
//   /apps/github  the file or folder apps/github at the root, and everything below it
//   **/logs       any logs folder (and file) at any depth
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reviewer::git { class Repository; }

namespace reviewer::commands {

inline constexpr std::size_t kMaxCodeownersBytes = 3 * 1024 * 1024;
// GitHub's documented search order.
inline constexpr const char* kCodeownersLocations[] = {".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"};

struct Owner {
  enum class Kind { user, team, email };
  Kind kind = Kind::user;
  std::string org;   // team only
  std::string name;  // user login, team slug, or the e-mail address
  bool operator==(const Owner&) const = default;
};

struct CodeownersRule {
  std::string pattern;
  std::vector<Owner> owners;  // empty: the paths are left without owners
  int line = 0;
};

struct Codeowners {
  std::vector<CodeownersRule> rules;
  std::vector<std::string> errors;  // "line N: why" for each skipped line or owner

  // The owners of `path` (slash-separated, relative to the root): those of
  // the last rule whose pattern matches, or none.
  const CodeownersRule* match(std::string_view path) const;
};

Codeowners parse_codeowners(std::string_view text);

// True when `pattern` (a CODEOWNERS pattern) matches `path`.
bool codeowners_pattern_matches(std::string_view pattern, std::string_view path);

// The CODEOWNERS file at `base_sha` (first of kCodeownersLocations), or
// nullopt when none exists or it is too big. *where gets the location used.
// Throws reviewer::Error when the commit is not in the repository.
std::optional<std::string> read_codeowners(const git::Repository& repo, std::string_view base_sha,
                                           std::string* where = nullptr);

// Reviewers to request for `paths`: the union of the owners of each path
// (deduplicated, in first-seen order), e-mail owners left out (GitHub's
// review-request API takes logins and team slugs only).
struct ReviewerSet {
  std::vector<std::string> users;
  std::vector<std::string> teams;  // slugs of teams of `org` (teams of other orgs cannot be requested)
  std::vector<std::string> skipped;  // owners that could not be requested, and why
};
ReviewerSet reviewers_for(const Codeowners& co, const std::vector<std::string>& paths, std::string_view org);

}  // namespace reviewer::commands
