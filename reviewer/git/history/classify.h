// What a commit message says about the commit: a fix, a revert (of which
// commit, by sha or by title), or neither. The patterns are guidance data
// (history.fix in guidance/default/history.yml); this layer only applies
// them. All matching is RE2: messages are untrusted text.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace reviewer::history {

struct Classifier {
  // Conventional Commits types that mean a fix ("fix: ...", "fix(x)!: ...").
  std::vector<std::string> fix_types = {"fix", "bugfix", "hotfix"};
  // Issue references that close a bug ("Fixes #12", "closes org/repo#3").
  std::string fix_reference = R"((?i)\b(?:fix(?:e[sd])?|close[sd]?|resolve[sd]?)\b[ :]*(?:[\w.-]+/[\w.-]+)?#\d+)";
  // Words in the subject that mark a fix when nothing else does.
  std::string fix_keywords = R"((?i)\b(?:fix(?:e[sd]|ing)?|bugs?|bugfix|crash(?:es|ed)?|regressions?|segfaults?|leaks?|broken|incorrect(?:ly)?|wrong)\b)";
};

struct MessageClass {
  bool fix = false;
  bool revert = false;
  std::vector<std::string> reverted_shas;  // from "This reverts commit <sha>" lines
  std::string reverted_title;              // from a `Revert "<title>"` subject, normalised
};

// A compiled Classifier. Throws reviewer::Error naming the pattern RE2
// rejects.
class MessageClassifier {
 public:
  explicit MessageClassifier(const Classifier& c);
  ~MessageClassifier();
  MessageClassifier(MessageClassifier&&) noexcept;
  MessageClassifier& operator=(MessageClassifier&&) noexcept;

  MessageClass classify(std::string_view message) const;

 private:
  std::vector<std::string> fix_types_;
  std::unique_ptr<re2::RE2> reference_, keywords_, reverts_sha_, revert_title_;
};

// A subject as squash merges and revert titles are compared: trimmed, with
// a trailing pull-request number " (#123)" removed.
std::string normalise_subject(std::string_view subject);

}  // namespace reviewer::history
