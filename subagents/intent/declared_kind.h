// What the PR says it is: its kind (Conventional Commits prefix, GitHub's
// "Revert ..." title, leading title words, labels), whether it claims to be
// a typo/copy change, and which commit a revert undoes.
#pragma once

#include <string>

#include "reviewer/core/pull_request.h"
#include "subagents/intent/intent_config.h"

namespace reviewer::intent {

struct DeclaredIntent {
  std::string kind;          // one of kKinds, or empty when nothing is declared
  std::string source;        // how it was recognized, for messages: "title prefix 'docs:'"
  std::string subject;       // the title without its prefix
  bool copy = false;         // claims a typo/copy/wording change
  std::string copy_word;     // the words that made it one
  std::string reverted_sha;  // from "This reverts commit <sha>", when present
};

DeclaredIntent detect_intent(const PullRequest& pr, const IntentConfig& config);

}  // namespace reviewer::intent
