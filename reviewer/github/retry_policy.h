// When to retry a GitHub API call and how long to wait first. Pure functions
// of the response, so the rules of GITHUB.md B5 are testable without HTTP:
//   1. `retry-after` present: wait that many seconds;
//   2. else x-ratelimit-remaining == 0: wait until x-ratelimit-reset;
//   3. else a secondary limit without hints: wait at least 60 s;
//   4. 5xx and network failures: exponential backoff with full jitter.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace reviewer::github {

using Headers = std::map<std::string, std::string>;  // names lower-cased

struct RetryPolicy {
  int max_attempts = 5;                                  // including the first
  std::chrono::milliseconds base_delay{500};
  std::chrono::milliseconds max_backoff{30'000};         // cap of the exponential part
  std::chrono::milliseconds secondary_limit_wait{60'000};// GitHub's "at least a minute"
  // A wait longer than this is not slept through: the call fails with a
  // rate-limit error and the job is rescheduled by its caller instead.
  std::chrono::milliseconds max_wait{15 * 60'000};
};

enum class Failure {
  none,            // success or a final answer (e.g. 404, 422)
  server,          // 5xx
  network,         // no answer: connection refused, reset, timeout
  primary_limit,   // 403/429 with x-ratelimit-remaining: 0
  secondary_limit, // 403/429 with retry-after or GitHub's secondary-limit message
};

// Classifies a response. `body_message` is GitHub's JSON "message", if any.
Failure classify(int status, const Headers& headers, const std::string& body_message);

// How long to wait before attempt number `attempt` + 1 (attempt counts from
// 1), or nullopt when the call must not be retried. `jitter` is a number in
// [0, 1) (random in production, fixed in tests); `now` is the wall clock for
// x-ratelimit-reset.
std::optional<std::chrono::milliseconds> retry_delay(
    Failure failure, const Headers& headers, int attempt, const RetryPolicy& policy,
    double jitter, std::chrono::system_clock::time_point now);

}  // namespace reviewer::github
