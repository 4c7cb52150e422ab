// Where a change reaches through symbolic links: a protected file edited
// through the file a link points to, a workflow added under a folder that a
// link named .github/workflows points to, or a link added that points into
// a protected folder. Resolved from the base and head trees with libgit2,
// never from a file system.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "reviewer/core/diff.h"

struct git_repository;

namespace reviewer::git {

struct LinkedPath {
  std::string path;     // the path as reached through the link, e.g. ".github/CODEOWNERS"
  std::string link;     // the symlink that leads there
  std::string changed;  // the changed path of the diff
};

struct LinkLimits {
  int max_hops = 40;                  // links followed for one path (a chain or a loop)
  std::size_t max_target_bytes = 4096;  // a longer target is not followed
  std::size_t max_entries = 4000000;  // tree entries walked per tree for links
  std::size_t max_steps = 1000000;    // path components resolved per tree (every link's resolution)
};

// For the changed paths of `diff` (old and new): each path `wanted` accepts
// that a changed file is reachable as through a symlink of the merge base's
// or the head's tree (a link to the file, or to a folder above it), and for
// each changed path that is itself a link, where it points (or, for a link
// to a folder, any path below it that `wanted` accepts). Chains of links
// are followed; `..` is normalised; absolute targets and targets that leave
// the repository are not followed (the safety agent reports those). Throws
// reviewer::Error when the repository, a tree or a link's target cannot be
// read, or when a limit cuts the walk or the resolution short.
std::vector<LinkedPath> linked_paths(const std::filesystem::path& repo, const Diff& diff,
                                     const std::function<bool(std::string_view)>& wanted, LinkLimits limits = {});
// The same in a repository already open (a diff's): its pack windows and
// trees are read again rather than mapped a second time.
std::vector<LinkedPath> linked_paths(git_repository* repo, const Diff& diff,
                                     const std::function<bool(std::string_view)>& wanted, LinkLimits limits = {});

}  // namespace reviewer::git
