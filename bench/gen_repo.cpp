// bench_gen_repo OUT_DIR: writes the benchmark repositories (bare, built with
// RepoBuilder, deterministic):
//   pr-100, pr-1000, pr-10000, pr-100000  a PR with that many changed lines
//                                         (additions + deletions): 80% as
//                                         5-line replacements in existing
//                                         files, 20% as new files
//   files-5000                            a PR changing one line in each of
//                                         5,000 files
// bench_gen_repo OUT_DIR --import LINES [--seed N]: writes import-LINES, a
// PR that adds LINES lines as new files under vendor/ (C, headers,
// JavaScript, Python, Go; 50 to 440 lines a file, about 45 bytes a line),
// the shape of a vendoring or an import: 1,360,000 lines are about 5,500
// files and 61 MB. The text comes from a seeded generator (std::mt19937_64,
// seed 22 by default), so a seed gives the same tree on any machine. One
// AWS access key id (made up) sits near the end of the last file: a review
// that reads the whole change reports it.
// Each has branches `main` and `pr`; main moved on after pr branched, so the
// three-dot diff (main...pr) differs from the two-dot one. Existing
// repositories are left alone.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>

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

// The import's text. Only the engine's raw output is used (the standard
// fixes mt19937_64's sequence; distributions vary between libraries).
class ImportText {
 public:
  explicit ImportText(std::uint64_t seed) : rng_(seed) {}

  std::size_t pick(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }

  std::string file(int index, int lines, std::string_view ext) {
    std::string s;
    s.reserve(static_cast<std::size_t>(lines) * 48);
    const bool hash_comments = ext == "py";
    for (int i = 0; i < lines; ++i) {
      const std::string_view word = kWords[pick(15)];
      const std::string_view other = kWords[pick(15)];
      switch (pick(8)) {
        case 0: s += fmt::format("{} {} {} of {} {}\n", hash_comments ? "#" : "//", word, other, index, i); break;
        case 1: s += fmt::format("  {}->{}_{} = {}_{}[{}];\n", other, word, i % 11, other, index % 89, pick(4096)); break;
        case 2: s += fmt::format("  if ({}_{} > {}) return {}_{}(v{});\n", word, i % 7, pick(1000), other, index % 13, i); break;
        default:
          s += fmt::format("    {}_{} = {}_{}({}, \"{}\", {});\n", word, i, other, index % 97, pick(100000), other,
                           pick(64));
      }
    }
    return s;
  }

 private:
  std::mt19937_64 rng_;
};

// An AWS access key id in the key's format, made up from the seed (never
// written out literally: this source is itself scanned for secrets).
std::string planted_key(ImportText& text) {
  std::string key = std::string("AK") + "IA";
  const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  while (key.size() < 20) key += alphabet[text.pick(32)];
  return key;
}

void make_import_pr(const std::filesystem::path& dir, int total_lines, std::uint64_t seed) {
  constexpr int kBaseFiles = 200, kBaseLines = 50;
  const char* const kExts[] = {"c", "h", "js", "py", "go"};
  auto repo = RepoBuilder::create(dir, true);
  const Files base = base_files(kBaseFiles, kBaseLines);
  ImportText text(seed);
  Files pr;
  int left = total_lines;
  for (int f = 0; left > 0; ++f) {
    const int lines = std::min(left, 50 + static_cast<int>(text.pick(391)));
    const std::string_view ext = kExts[text.pick(5)];
    std::string content = text.file(f, lines, ext);
    left -= lines;
    if (left == 0) {
      // Replaces the last line: the line count stays exact.
      content.erase(content.rfind('\n', content.size() - 2) + 1);
      content += fmt::format("aws_key_id = \"{}\"\n", planted_key(text));
    }
    pr[fmt::format("vendor/lib{:02}/pkg{:03}/unit_{:05}.{}", f % 23, f % 211, f, ext)] = FileChange{std::move(content)};
  }
  finish(repo, base, pr, kBaseFiles, kBaseLines);
}

bool generated_already(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::exists(dir / "refs" / "heads" / "pr", ec) || std::filesystem::exists(dir / "packed-refs", ec);
}

}  // namespace

int import_main(const std::filesystem::path& out, int lines, std::uint64_t seed) {
  const auto dir = out / fmt::format("import-{}", lines);
  if (generated_already(dir)) return 0;
  std::printf("generating %s\n", dir.c_str());
  make_import_pr(dir, lines, seed);
  return 0;
}

int main(int argc, char** argv) {
  const bool import = argc >= 4 && std::strcmp(argv[2], "--import") == 0;
  const bool seeded = import && argc == 6 && std::strcmp(argv[4], "--seed") == 0;
  if (argc != 2 && !(import && (argc == 4 || seeded))) {
    std::fprintf(stderr, "usage: bench_gen_repo OUT_DIR [--import LINES [--seed N]]\n");
    return 1;
  }
  reviewer::git::Library git;
  const std::filesystem::path out = argv[1];
  try {
    if (import) {
      const int lines = std::atoi(argv[3]);
      if (lines < 1) throw std::runtime_error("--import needs a positive line count");
      return import_main(out, lines, seeded ? std::strtoull(argv[5], nullptr, 10) : 22);
    }
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
