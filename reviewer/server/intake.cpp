#include "reviewer/server/intake.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "reviewer/core/metrics.h"

namespace reviewer::server {

IntakeBatcher::IntakeBatcher(JobQueue& queue, Metrics& metrics, std::function<void()> on_stored, size_t max_batch)
    : queue_(queue), metrics_(metrics), on_stored_(std::move(on_stored)), max_batch_(max_batch) {
  const std::size_t writers = std::max<std::size_t>(1, queue_.intake_writers());
  for (std::size_t i = 0; i < writers; ++i) lanes_.push_back(std::make_unique<Lane>());
  for (auto& lane : lanes_) threads_.emplace_back([this, l = lane.get()] { run(*l); });
}

// Called with mu_ held.
std::size_t IntakeBatcher::lane_of(const IntakeItem& item) {
  if (lanes_.size() == 1) return 0;
  if (!item.job) return next_++ % lanes_.size();
  const auto key = std::hash<std::string>{}(item.job->repository) ^ std::hash<std::int64_t>{}(item.job->pr_number);
  return key % lanes_.size();
}

IntakeBatcher::~IntakeBatcher() { stop(); }

void IntakeBatcher::submit(IntakeItem item, Done done) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      auto& lane = *lanes_[lane_of(item)];
      lane.pending.emplace_back(std::move(item), std::move(done));
      lane.cv.notify_one();
      return;
    }
  }
  done(std::nullopt, "the server is shutting down");
}

void IntakeBatcher::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    for (auto& lane : lanes_) lane->cv.notify_all();
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void IntakeBatcher::run(Lane& lane) {
  for (;;) {
    std::vector<std::pair<IntakeItem, Done>> batch;
    {
      std::unique_lock lock(mu_);
      lane.cv.wait(lock, [&] { return stopping_ || !lane.pending.empty(); });
      if (lane.pending.empty()) return;  // stopping, and everything is committed
      while (!lane.pending.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(lane.pending.front()));
        lane.pending.pop_front();
      }
    }
    std::vector<IntakeItem> items;
    items.reserve(batch.size());
    bool has_job = false;
    for (auto& b : batch) {
      has_job = has_job || b.first.job.has_value();
      items.push_back(std::move(b.first));
    }
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<IntakeOutcome> outcomes;
    std::string error;
    try {
      outcomes = queue_.enqueue(items);
    } catch (const std::exception& e) {
      error = e.what();
    }
    metrics_.observe("reviewer_intake_commit_seconds", {},
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    for (size_t i = 0; i < batch.size(); ++i) {
      if (error.empty()) {
        batch[i].second(outcomes[i], {});
      } else {
        batch[i].second(std::nullopt, error);
      }
    }
    if (error.empty() && has_job && on_stored_) on_stored_();
  }
}

}  // namespace reviewer::server
