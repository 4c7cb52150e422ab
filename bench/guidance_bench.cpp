// Times the refusal of a YAML alias bomb in a repository's
// .github/reviewer.yml (issue 17): a ten-level "billion laughs" under 500
// bytes, parsed the way a review parses the base branch's file. Prints
// min / median / max per refusal and the process's peak RSS before and
// after; then, for comparison, the operator's (trusted) path, which keeps
// anchors but stops at its node budget.
//
//   cmake -S . -B build-bench -DREVIEWER_BUILD_BENCH=ON && cmake --build build-bench --target guidance_bench
//   ./build-bench/bench/guidance_bench [runs]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "guidance/guidance.h"
#include "reviewer/core/error.h"
#include "support/alias_bomb.h"

using namespace reviewer;
using Clock = std::chrono::steady_clock;

namespace {

long peak_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

template <typename F>
double refuse_ms(F&& f, std::string* message) {
  const auto t0 = Clock::now();
  try {
    f();
  } catch (const Error& e) {
    *message = e.what();
  }
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 1000;
  const std::string bomb = test::alias_bomb();
  const Guidance op = load_guidance();
  std::string message;
  const long rss_before = peak_rss_kb();
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    ms.push_back(refuse_ms([&] { layer_repository(op, ".github/reviewer.yml@base", bomb); }, &message));
  }
  std::sort(ms.begin(), ms.end());
  fmt::print("repository file, {} bytes, {} runs: min {:.3f} ms, median {:.3f} ms, max {:.3f} ms\n", bomb.size(),
             runs, ms.front(), ms[ms.size() / 2], ms.back());
  fmt::print("  refused with: {}\n", message);
  fmt::print("  peak RSS: {} KB before, {} KB after\n", rss_before, peak_rss_kb());
  // The same bomb inside an agent section of an operator's file: expanded
  // until the 500,000-value budget stops it.
  std::string nested = "safety:\n";
  for (std::size_t at = 0; at < bomb.size();) {
    const std::size_t end = bomb.find('\n', at);
    nested += "  " + bomb.substr(at, end - at + 1);
    at = end + 1;
  }
  const double trusted = refuse_ms([&] { load_guidance_texts({{"org.yml", nested}}); }, &message);
  fmt::print("operator file (trusted: anchors kept, node budget): {:.1f} ms, peak RSS {} KB\n  refused with: {}\n",
             trusted, peak_rss_kb(), message);
  return 0;
}
