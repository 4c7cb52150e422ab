#include "reviewer/server/queue_policy.h"

#include <algorithm>
#include <cmath>
#include <thread>

namespace reviewer::server {

AttemptPolicy::AttemptPolicy(const QueueOptions& o)
    : max_attempts_(o.max_attempts), retry_base_ms_(o.retry_base_ms), retry_max_ms_(o.retry_max_ms) {}

std::pair<std::string, std::int64_t> AttemptPolicy::after(JobResult::Status status, int attempts, std::int64_t now) {
  switch (status) {
    case JobResult::Status::done: return {"done", now};
    case JobResult::Status::failed: return {"failed", now};
    case JobResult::Status::superseded: return {"superseded", now};
    case JobResult::Status::retry: break;
  }
  if (attempts >= max_attempts_) return {"dead", now};
  return {"pending", now + backoff_ms(attempts)};
}

std::int64_t AttemptPolicy::backoff_ms(int attempts) {
  double base = static_cast<double>(retry_base_ms_) * std::pow(2.0, std::min(attempts - 1, 30));
  base = std::min(base, static_cast<double>(retry_max_ms_));
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  return static_cast<std::int64_t>(base * jitter(rng_));
}

bool PrunePacer::next(std::chrono::steady_clock::duration held) {
  if (held > kTarget) rows_ = std::max(rows_ / 2, std::min(16, max_));
  else if (held < kTarget / 2) rows_ = std::min(rows_ * 2, max_);
  if (stop_ && stop_()) return false;
  std::this_thread::sleep_for(std::max<std::chrono::steady_clock::duration>(kPauseFactor * held, std::chrono::milliseconds(1)));
  return !(stop_ && stop_());
}

std::int64_t run_paced(PrunePacer& pacer, const std::function<std::int64_t(int rows)>& batch) {
  std::int64_t total = 0;
  for (;;) {
    const int rows = pacer.rows();
    const auto started = std::chrono::steady_clock::now();
    const std::int64_t n = batch(rows);
    total += n;
    if (n < rows || !pacer.next(std::chrono::steady_clock::now() - started)) return total;
  }
}

}  // namespace reviewer::server
