// The whole path of issue 8 on loopback: a signed pull_request webhook is
// received by the real Server (HMAC check, durable SQLite intake, queue,
// worker) -> the GitHub handler fetches the PR into a warm bare mirror from
// a file:// origin -> the real review pipeline (every agent, policy) ->
// audit records -> Publisher in active mode against the in-process fake
// GitHub API (App installation token cached). Measured per PR from just
// before the webhook is sent until the fake API has the review POST.
// PRs are sent one after another (latency, not throughput).
//
// usage: app_bench [PRS=200] [LINES=300]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "app/app_fixture.h"
#include "reviewer/git/handles.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::test;
using Clock = std::chrono::steady_clock;

namespace {

std::string file_of(int pr, int lines) {
  std::string s;
  for (int i = 0; i < lines; ++i) s += fmt::format("value_{}_{} = {}\n", pr, i, i);
  return s;
}

double pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  std::size_t i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  git::Library libgit2;
  const int prs = argc > 1 ? std::atoi(argv[1]) : 200;
  const int lines = argc > 2 ? std::atoi(argv[2]) : 300;
  auto dir = scratch_dir("app-bench");
  Origin origin(dir / "origin.git");
  std::vector<std::string> heads;
  for (int n = 1; n <= prs + 1; ++n) {
    heads.push_back(origin.open_pr(n, {{fmt::format("src/mod{}.py", n), {file_of(n, lines)}}},
                                   fmt::format("Add module {}", n)));
  }
  FakeGitHub fake;
  AppServer s(dir, fake, {"active", true, true, {}, 1});

  std::vector<double> ms;
  for (int n = 1; n <= prs + 1; ++n) {
    auto payload = pr_payload(origin, n, heads[static_cast<std::size_t>(n - 1)], "opened", fmt::format("Add module {}", n));
    fake.set_pull(kRepo, n, payload["pull_request"]);
    auto t0 = Clock::now();
    if (s.send("pull_request", payload, fmt::format("bench-{}", n)) != 202) {
      std::fprintf(stderr, "webhook %d refused\n", n);
      return 1;
    }
    while (fake.reviews(kRepo, n).empty()) {
      if (Clock::now() - t0 > std::chrono::seconds(60)) {
        std::fprintf(stderr, "PR %d: no review after 60 s: %s\n", n, s.job_field(fmt::format("bench-{}", n), "result").c_str());
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    double took = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (n > 1) ms.push_back(took);  // the first PR creates the mirror (cold)
    s.wait_job(fmt::format("bench-{}", n));
  }
  std::printf("webhook -> review posted, %d PRs of %d lines, warm mirror, active mode\n", prs, lines);
  std::printf("p50 %.1f ms  p99 %.1f ms  max %.1f ms\n", pct(ms, 0.5), pct(ms, 0.99), pct(ms, 1.0));
  return 0;
}
