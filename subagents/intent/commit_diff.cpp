#include "subagents/intent/commit_diff.h"

#include "reviewer/core/error.h"
#include "reviewer/git/repository.h"

namespace reviewer::intent {

std::optional<Diff> read_commit_diff(const std::filesystem::path& repo_path, std::string_view sha) {
  const auto repo = git::Repository::open(repo_path);  // per call: handles are per thread
  std::string full;
  try {
    full = repo.resolve(sha);
  } catch (const Error& e) {
    // An unknown revision is an answer ("not here"), not a failure.
    if (e.code() == Error::Code::invalid_input) return std::nullopt;
    throw;
  }
  const auto info = repo.commit(full);
  if (info.parents.empty()) return std::nullopt;
  git::DiffOptions options;
  options.context_lines = 0;  // the check compares added and deleted lines only
  return repo.diff(info.parents.front(), full, info.parents.front(), options);
}

}  // namespace reviewer::intent
