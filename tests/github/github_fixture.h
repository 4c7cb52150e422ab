// Shared pieces of the GitHub tests: RSA keys made at test time (no private
// key is ever committed), a RestClient wired to the fake API with recorded
// sleeps instead of real ones, and a small ReviewResult with a diff.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "fake_github.h"
#include "reviewer/core/review_result.h"
#include "reviewer/github/rest_client.h"

namespace reviewer::test {

struct RsaKey {
  std::string private_pem;
  std::string public_pem;
};
// A fresh 2048-bit RSA key pair (OpenSSL), cached for the process.
const RsaKey& test_rsa_key();

// Options for a client of `fake`: no real sleeping (delays are appended to
// *slept), no pacing, a private circuit breaker, jitter fixed at 0.5.
github::ClientOptions fake_options(FakeGitHub& fake, std::shared_ptr<github::Credentials> creds,
                                   std::vector<std::chrono::milliseconds>* slept = nullptr);

// A diff line helper and a result for PR o/r#7 with head `head`:
//   src/app.cpp  modified: hunk 1 new lines 10..14 (11 and 12 added, old 11 deleted),
//                          hunk 2 new lines 40..42 (41 added)
//   old/name.h -> new/name.h renamed with one added line 5
//   gone.txt     deleted: old lines 1..3
Diff sample_diff(const std::string& head);
ReviewResult sample_result(const std::string& head, DecisionKind decision, std::vector<Finding> findings = {});
Finding finding(const std::string& rule, Severity sev, const std::string& path, int line, int end_line = 0);

inline const std::string kHead = "1111111111111111111111111111111111111111";
inline const std::string kHead2 = "2222222222222222222222222222222222222222";

}  // namespace reviewer::test
