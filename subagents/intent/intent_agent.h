// The intent agent: is the description clear, and does the diff do what it
// says? Reports description quality (empty, vague, no why, unfilled
// template, WIP, missing ticket), declared kind vs actual change (docs PRs
// that change code, copy changes that alter logic, refactors that change
// expectations, reverts that are not inverses, dependency bumps that change
// code) and scope (unmentioned areas, promises not kept). Rules, vocabularies
// and thresholds come from the guidance section "intent".
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "guidance/guidance.h"
#include "reviewer/core/diff.h"
#include "subagents/agent.h"

namespace reviewer {

// Reads the diff of a commit against its first parent, for the revert
// check: (repository path, full or abbreviated sha) -> diff, or nullopt when
// the commit is not in the repository. May throw reviewer::Error.
using CommitDiffLookup =
    std::function<std::optional<Diff>(const std::filesystem::path& repo, std::string_view sha)>;

// The default reads the reverted commit from ctx.repo_path with libgit2.
// With an empty lookup (or no repository, or the commit not found) a revert
// PR gets an info finding saying it could not be verified.
std::unique_ptr<Agent> make_intent_agent();
std::unique_ptr<Agent> make_intent_agent(CommitDiffLookup lookup);

// Validates guidance.section("intent"); throws reviewer::Error naming the
// bad key. The agent's check_guidance() does the same.
void validate_intent_guidance(const Guidance& guidance);

}  // namespace reviewer
