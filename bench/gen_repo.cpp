// bench_gen_repo OUT_DIR: writes the benchmark repositories (bare, built with
// RepoBuilder, deterministic):
//   pr-100, pr-1000, pr-10000, pr-100000  a PR with that many changed lines
//                                         (additions + deletions): 80% as
//                                         5-line replacements in existing
//                                         files, 20% as new files
//   files-5000                            a PR changing one line in each of
//                                         5,000 files
// Each has branches `main` and `pr`; main moved on after pr branched, so the
// three-dot diff (main...pr) differs from the two-dot one. Existing
// repositories are left alone.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "reviewer/git/builder.h"

namespace {

using reviewer::git::FileChange;
using reviewer::git::RepoBuilder;
using Files = std::map<std::string, FileChange>;

const char* const kWords[] = {"parse", "render", "cache", "queue", "retry", "token", "index", "merge",
                              "stream", "buffer", "lookup", "commit", "branch", "report", "policy"};

std::string path_of(int file) {
  return fmt::format("src/area{:02}/mod{:02}/file_{:05}.cpp", file % 20, (file / 20) % 10, file);
}

std::string line_of(int file, int i, bool edited) {
  return fmt::format("  int v{}_{} = {}({}, {});  // {} step {}\n", file, i, edited ? "recompute" : "compute",
                     (i * 7) % 13, file % 97, kWords[(file * 31 + i) % 15], i);
}

std::string file_text(int file, int lines, int edit_every = 0, int edit_len = 0, int edits = 0) {
  std::string s;
  s.reserve(static_cast<std::size_t>(lines) * 56);
  int done = 0;
  for (int i = 0; i < lines; ++i) {
    const bool edited = edit_every > 0 && done < edits && i % edit_every >= 10 && i % edit_every < 10 + edit_len;
    if (edited && i % edit_every == 10 + edit_len - 1) ++done;
    s += line_of(file, i, edited);
  }
  return s;
}

Files base_files(int count, int lines) {
  Files files;
  for (int f = 0; f < count; ++f) files[path_of(f)] = FileChange{file_text(f, lines)};
  files["README.md"] = FileChange{std::string("# benchmark repository\n")};
  return files;
}

// Commits base on main, the PR on pr, then moves main on (50 other files).
void finish(RepoBuilder& repo, const Files& base, const Files& pr, int base_count, int lines) {
  const std::string root = repo.commit("main", "", base, "base", 1700000000);
  repo.commit("pr", root, pr, "the pull request", 1700000100);
  Files later;
  for (int f = base_count - 50; f < base_count; ++f)
    later[path_of(f)] = FileChange{file_text(f, lines) + "// main moved on\n"};
  repo.commit("main", root, later, "main moves on", 1700000200);
}

void make_lines_pr(const std::filesystem::path& dir, int changed) {
  constexpr int kLines = 200, kHunkLen = 5, kHunksPerFile = 4, kBaseFiles = 2500;
  auto repo = RepoBuilder::create(dir, true);
  const int edit_lines = changed * 8 / 10;
  const int hunks = edit_lines / (2 * kHunkLen);
  const Files base = base_files(kBaseFiles, kLines);
  Files pr;
  int hunks_left = hunks;
  for (int f = 0; hunks_left > 0; ++f) {
    const int here = std::min(hunks_left, kHunksPerFile);
    pr[path_of(f)] = FileChange{file_text(f, kLines, kLines / kHunksPerFile, kHunkLen, here)};
    hunks_left -= here;
  }
  int new_lines = changed - hunks * 2 * kHunkLen;
  for (int n = 0; new_lines > 0; ++n) {
    const int here = std::min(new_lines, kLines);
    pr[fmt::format("src/new/added_{:04}.cpp", n)] = FileChange{file_text(100000 + n, here)};
    new_lines -= here;
  }
  finish(repo, base, pr, kBaseFiles, kLines);
}

void make_files_pr(const std::filesystem::path& dir, int files) {
  constexpr int kLines = 50;
  const int base_count = files + 1000;
  auto repo = RepoBuilder::create(dir, true);
  const Files base = base_files(base_count, kLines);
  Files pr;
  for (int f = 0; f < files; ++f) pr[path_of(f)] = FileChange{file_text(f, kLines, kLines, 1, 1)};
  finish(repo, base, pr, base_count, kLines);
}

bool generated_already(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::exists(dir / "refs" / "heads" / "pr", ec) || std::filesystem::exists(dir / "packed-refs", ec);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: bench_gen_repo OUT_DIR\n");
    return 1;
  }
  reviewer::git::Library git;
  const std::filesystem::path out = argv[1];
  try {
    for (int changed : {100, 1000, 10000, 100000}) {
      const auto dir = out / fmt::format("pr-{}", changed);
      if (generated_already(dir)) continue;
      std::printf("generating %s\n", dir.c_str());
      make_lines_pr(dir, changed);
    }
    const auto dir = out / "files-5000";
    if (!generated_already(dir)) {
      std::printf("generating %s\n", dir.c_str());
      make_files_pr(dir, 5000);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_gen_repo: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
