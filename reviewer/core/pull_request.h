// The pull request under review, as its author described it. Every field is
// attacker-controlled text: it is displayed and matched, never executed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace reviewer {

struct PullRequest {
  std::string repository;  // "owner/name", or the local path for `reviewer review`
  std::int64_t number = 0; // 0 when reviewing a local range
  std::string title;
  std::string body;
  std::string author;
  std::vector<std::string> labels;
  bool draft = false;
  bool human_review_override = false;  // a `/human-review` is active on the PR
  std::string base_ref;    // the rev the user named, e.g. "main"
  std::string head_ref;    // the PR's branch name (GitHub's head.ref), or the rev the user named
  std::string base_sha;    // merge base of head and base (three-dot diff start)
  std::string head_sha;
  // The messages of the PR's commits (merge base to head, oldest first,
  // capped): attacker text that agents scan like the title and body.
  std::vector<std::string> commit_messages;
};

}  // namespace reviewer
