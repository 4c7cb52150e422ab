// bench_diff REPO BASE HEAD [RUNS|--patch]: times Repository::diff on the
// three-dot range BASE...HEAD (merge base to head), as `reviewer review`
// extracts it, and prints one line: file, line and hunk counts and the best
// and median time of RUNS runs (default 5) in milliseconds. With --patch it
// prints the hunks instead, in `git diff` form without file headers, so the
// script can check them against git's own output.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>
#include <vector>

#include "reviewer/git/repository.h"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: bench_diff REPO BASE HEAD [RUNS]\n");
    return 1;
  }
  const bool patch = argc > 4 && std::string_view(argv[4]) == "--patch";
  const int runs = argc > 4 && !patch ? std::max(1, std::atoi(argv[4])) : patch ? 1 : 5;
  reviewer::git::Library git;
  try {
    std::vector<double> ms;
    reviewer::Diff diff;
    for (int i = 0; i < runs; ++i) {
      const auto start = std::chrono::steady_clock::now();
      auto repo = reviewer::git::Repository::open(argv[1]);
      const std::string head = repo.resolve(argv[3]);
      const std::string base = repo.merge_base(repo.resolve(argv[2]), head);
      diff = repo.diff(base, head, base, {});
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    if (patch) {
      for (const auto& f : diff.files)
        for (const auto& h : f.hunks) {
          std::printf("%s\n", h.header.c_str());
          for (const auto& l : h.lines) {
            const char c = l.origin == reviewer::LineOrigin::added ? '+' : l.origin == reviewer::LineOrigin::deleted ? '-' : ' ';
            std::putchar(c);
            std::fwrite(l.content.data(), 1, l.content.size(), stdout);
            std::printf("%s\n", l.crlf ? "\r" : "");
            if (l.no_newline_at_eof) std::printf("\\ No newline at end of file\n");
          }
        }
      return 0;
    }
    long additions = 0, deletions = 0, hunks = 0, lines = 0;
    for (const auto& f : diff.files) {
      additions += f.additions;
      deletions += f.deletions;
      hunks += static_cast<long>(f.hunks.size());
      for (const auto& h : f.hunks) lines += static_cast<long>(h.lines.size());
    }
    std::sort(ms.begin(), ms.end());
    std::printf("files=%zu additions=%ld deletions=%ld hunks=%ld lines=%ld best_ms=%.1f median_ms=%.1f\n",
                diff.files.size(), additions, deletions, hunks, lines, ms.front(), ms[ms.size() / 2]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_diff: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
