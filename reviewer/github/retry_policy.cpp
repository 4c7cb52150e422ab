#include "reviewer/github/retry_policy.h"

#include <algorithm>
#include <charconv>

namespace reviewer::github {
namespace {

std::optional<std::int64_t> header_int(const Headers& h, const std::string& name) {
  auto it = h.find(name);
  if (it == h.end()) return std::nullopt;
  std::int64_t v = 0;
  const std::string& s = it->second;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

bool mentions_secondary(const std::string& message) {
  // GitHub's wording: "You have exceeded a secondary rate limit ..." (older
  // answers said "abuse detection").
  auto has = [&](const char* s) { return message.find(s) != std::string::npos; };
  return has("secondary rate limit") || has("abuse");
}

}  // namespace

Failure classify(int status, const Headers& headers, const std::string& body_message) {
  if (status == 0) return Failure::network;
  if (status >= 500) return Failure::server;
  if (status == 403 || status == 429) {
    if (header_int(headers, "retry-after") || mentions_secondary(body_message)) {
      return Failure::secondary_limit;
    }
    if (header_int(headers, "x-ratelimit-remaining") == 0) return Failure::primary_limit;
    // 429 always means "slow down"; a plain 403 is a permission answer.
    return status == 429 ? Failure::secondary_limit : Failure::none;
  }
  return Failure::none;
}

std::optional<std::chrono::milliseconds> retry_delay(
    Failure failure, const Headers& headers, int attempt, const RetryPolicy& policy,
    double jitter, std::chrono::system_clock::time_point now) {
  using std::chrono::milliseconds;
  if (failure == Failure::none || attempt >= policy.max_attempts) return std::nullopt;
  milliseconds wait{0};
  auto retry_after = header_int(headers, "retry-after");
  if (failure == Failure::primary_limit || failure == Failure::secondary_limit) {
    if (retry_after && *retry_after >= 0) {
      wait = std::chrono::seconds(*retry_after);
    } else if (auto reset = header_int(headers, "x-ratelimit-reset");
               reset && header_int(headers, "x-ratelimit-remaining") == 0) {
      auto until = std::chrono::system_clock::time_point(std::chrono::seconds(*reset));
      wait = std::max(milliseconds(1000),
                      std::chrono::duration_cast<milliseconds>(until - now) + milliseconds(1000));
    } else {
      // No hint: at least a minute, doubling on each further attempt.
      wait = policy.secondary_limit_wait * (1LL << std::min(attempt - 1, 4));
    }
  } else {
    // Full jitter (AWS architecture blog): uniform in [0, min(cap, base*2^n)].
    auto ceiling = std::min<long long>(policy.max_backoff.count(),
                                       policy.base_delay.count() * (1LL << std::min(attempt - 1, 20)));
    wait = milliseconds(static_cast<long long>(std::clamp(jitter, 0.0, 1.0) * ceiling));
    if (retry_after && *retry_after >= 0) wait = std::max<milliseconds>(wait, std::chrono::seconds(*retry_after));
  }
  if (wait > policy.max_wait) return std::nullopt;
  return wait;
}

}  // namespace reviewer::github
