// What the end-to-end tests of real `reviewer serve` processes share
// (test_chaos.cpp, test_db_lost.cpp): pull requests of a real repository
// whose heads move on as the test pushes, the environment of an instance
// in active mode against the fake GitHub, delivery with GitHub's
// redelivery, and the check that each head got one review.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/app_fixture.h"
#include "fake_github.h"

namespace reviewer::test {

class PullRequestFeed {
 public:
  // A bare origin in `dir` with PRs 1..prs, each a chain of `heads`
  // commits on its own branch; each PR starts at its first head.
  PullRequestFeed(const std::filesystem::path& dir, FakeGitHub& fake, int prs, int heads);
  int prs() const { return prs_; }
  int heads() const { return heads_; }
  const std::string& head(int n, int k) const;
  // A push of head k to PR n (refs/pull/n/head and the API's head), unless
  // the PR is already there or further on. Thread-safe.
  void push(int n, int k);
  // A pull_request `synchronize` delivery's body for PR n at head k.
  std::string payload(int n, int k) const;

 private:
  FakeGitHub& fake_;
  int prs_, heads_;
  Origin origin_;
  std::vector<std::vector<std::string>> shas_;
  std::vector<nlohmann::json> payloads_;
  std::mutex mu_;
  std::vector<int> pushed_;
};

// `serve` in active mode on `url` (queue and audit log), data in `dir`,
// posting to `fake` with a token and no pause between posts.
std::map<std::string, std::string> serve_env(const std::filesystem::path& dir, const std::string& url,
                                             const FakeGitHub& fake);

// Posts the signed delivery to ports[first], and as GitHub redelivers
// (here: to the next port, as a load balancer would), up to `attempts`
// times until an answer is 2xx; returns the last status (0: no answer).
int deliver(const std::vector<int>& ports, std::size_t first, const std::string& body, const std::string& id,
            int attempts);

// CHECKs that no head of any PR has more than one review and that every
// PR's newest head has one; returns how many heads have one.
int check_one_review_per_head(FakeGitHub& fake, const PullRequestFeed& feed);

}  // namespace reviewer::test
