#include <doctest/doctest.h>

#include "reviewer/github/circuit_breaker.h"
#include "reviewer/github/link_header.h"
#include "reviewer/github/retry_policy.h"

using namespace reviewer::github;
using namespace std::chrono;

TEST_SUITE("github::retry_policy") {
  TEST_CASE("classifies rate limits, server errors and final answers") {
    CHECK(classify(502, {}, "") == Failure::server);
    CHECK(classify(0, {}, "") == Failure::network);
    CHECK(classify(429, {}, "") == Failure::secondary_limit);
    CHECK(classify(403, {{"retry-after", "30"}}, "") == Failure::secondary_limit);
    CHECK(classify(403, {}, "You have exceeded a secondary rate limit") == Failure::secondary_limit);
    CHECK(classify(403, {{"x-ratelimit-remaining", "0"}}, "API rate limit exceeded") == Failure::primary_limit);
    CHECK(classify(403, {{"x-ratelimit-remaining", "12"}}, "Resource not accessible by integration") == Failure::none);
    CHECK(classify(404, {}, "") == Failure::none);
    CHECK(classify(422, {}, "") == Failure::none);
  }

  TEST_CASE("honours retry-after, then the reset time, then waits at least a minute") {
    RetryPolicy p;
    auto now = system_clock::time_point(seconds(1'000'000));
    CHECK(retry_delay(Failure::secondary_limit, {{"retry-after", "7"}}, 1, p, 0.5, now) == milliseconds(7000));
    auto reset = retry_delay(Failure::primary_limit, {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "1000030"}},
                             1, p, 0.5, now);
    REQUIRE(reset);
    CHECK(*reset == milliseconds(31'000));  // until the reset, plus a second
    CHECK(retry_delay(Failure::secondary_limit, {}, 1, p, 0.5, now) == milliseconds(60'000));
    CHECK(retry_delay(Failure::secondary_limit, {}, 2, p, 0.5, now) == milliseconds(120'000));
  }

  TEST_CASE("backs off exponentially with jitter on server errors, capped") {
    RetryPolicy p;
    auto now = system_clock::now();
    CHECK(retry_delay(Failure::server, {}, 1, p, 1.0, now) == milliseconds(500));
    CHECK(retry_delay(Failure::server, {}, 3, p, 1.0, now) == milliseconds(2000));
    CHECK(retry_delay(Failure::server, {}, 3, p, 0.25, now) == milliseconds(500));
    p.max_attempts = 100;
    CHECK(retry_delay(Failure::server, {}, 40, p, 1.0, now) == p.max_backoff);
  }

  TEST_CASE("gives up after the last attempt, on final answers and on waits beyond the limit") {
    RetryPolicy p;
    auto now = system_clock::now();
    CHECK_FALSE(retry_delay(Failure::server, {}, p.max_attempts, p, 0.5, now));
    CHECK_FALSE(retry_delay(Failure::none, {}, 1, p, 0.5, now));
    CHECK_FALSE(retry_delay(Failure::secondary_limit, {{"retry-after", "3600"}}, 1, p, 0.5, now));
  }
}

TEST_SUITE("github::link_header") {
  TEST_CASE("finds the next page among several links") {
    std::string h = "<https://api.github.com/repositories/1/pulls?page=2>; rel=\"next\", "
                    "<https://api.github.com/repositories/1/pulls?page=5>; rel=\"last\"";
    CHECK(link_target(h, "next") == "https://api.github.com/repositories/1/pulls?page=2");
    CHECK(link_target(h, "last") == "https://api.github.com/repositories/1/pulls?page=5");
    CHECK_FALSE(link_target(h, "prev"));
    CHECK_FALSE(link_target("", "next"));
    CHECK_FALSE(link_target("garbage <unterminated", "next"));
  }
}

TEST_SUITE("github::CircuitBreaker") {
  TEST_CASE("opens after consecutive failures, lets one trial through after the cool-down") {
    CircuitBreaker b(3, seconds(10));
    auto t0 = CircuitBreaker::Clock::now();
    for (int i = 0; i < 3; ++i) {
      CHECK(b.allow(t0));
      b.record_failure(t0);
    }
    CHECK_FALSE(b.allow(t0 + seconds(5)));
    CHECK(b.allow(t0 + seconds(11)));        // the trial
    CHECK_FALSE(b.allow(t0 + seconds(11)));  // only one at a time
    b.record_success();
    CHECK(b.allow(t0 + seconds(12)));
  }

  TEST_CASE("a success resets the failure count") {
    CircuitBreaker b(2, seconds(10));
    auto t0 = CircuitBreaker::Clock::now();
    b.record_failure(t0);
    b.record_success();
    b.record_failure(t0);
    CHECK(b.allow(t0));
  }
}
