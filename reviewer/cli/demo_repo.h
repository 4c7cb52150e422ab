// The demo repository: a small Python project on `main` and three branches
// that look like pull requests (a clean fix, a risky change, a huge change).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace reviewer {

struct DemoPullRequest {
  std::string branch;
  std::string what;  // one line for the demo's header
};

// Writes the repository at `dir` (which must be empty or absent) with
// libgit2 and returns its pull-request branches in review order.
std::vector<DemoPullRequest> build_demo_repository(const std::filesystem::path& dir);

}  // namespace reviewer
