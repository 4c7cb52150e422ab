#include "reviewer/github/circuit_breaker.h"

#include <map>

namespace reviewer::github {

bool CircuitBreaker::allow(Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (consecutive_failures_ < threshold_) return true;
  if (now < open_until_) return false;
  if (trial_in_flight_) return false;
  trial_in_flight_ = true;  // half-open: this caller is the trial
  return true;
}

void CircuitBreaker::record_success() {
  std::lock_guard lock(mu_);
  consecutive_failures_ = 0;
  trial_in_flight_ = false;
}

void CircuitBreaker::record_failure(Clock::time_point now) {
  std::lock_guard lock(mu_);
  trial_in_flight_ = false;
  if (++consecutive_failures_ >= threshold_) open_until_ = now + cool_down_;
}

bool CircuitBreaker::open(Clock::time_point now) const {
  std::lock_guard lock(mu_);
  return consecutive_failures_ >= threshold_ && now < open_until_;
}

std::shared_ptr<CircuitBreaker> circuit_breaker_for(const std::string& origin) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<CircuitBreaker>> breakers;
  std::lock_guard lock(mu);
  auto& b = breakers[origin];
  if (!b) b = std::make_shared<CircuitBreaker>();
  return b;
}

}  // namespace reviewer::github
