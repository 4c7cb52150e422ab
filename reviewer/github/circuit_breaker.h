// A per-host circuit breaker: after `threshold` consecutive failures (5xx or
// no answer) calls to that host fail fast for `cool_down`, then one trial
// call is let through (half-open); its success closes the circuit again.
// Keeps a struggling GitHub from being hammered by every worker at once.
//
// Thread-safe. Hosts share breakers through the registry so every client of
// one host in the process sees the same state.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

namespace reviewer::github {

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  CircuitBreaker(int threshold = 5, std::chrono::milliseconds cool_down = std::chrono::seconds(30))
      : threshold_(threshold), cool_down_(cool_down) {}

  // False while open: the caller must not send. In half-open state only one
  // caller at a time gets true.
  bool allow(Clock::time_point now = Clock::now());
  void record_success();
  void record_failure(Clock::time_point now = Clock::now());
  bool open(Clock::time_point now = Clock::now()) const;

 private:
  mutable std::mutex mu_;
  int threshold_;
  std::chrono::milliseconds cool_down_;
  int consecutive_failures_ = 0;
  Clock::time_point open_until_{};
  bool trial_in_flight_ = false;
};

// The process-wide breaker for "scheme://host:port".
std::shared_ptr<CircuitBreaker> circuit_breaker_for(const std::string& origin);

}  // namespace reviewer::github
