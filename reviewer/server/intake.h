// Group commit for webhook intake: HTTP handlers hand deliveries to the
// writer threads (JobQueue::intake_writers(), one on SQLite), each of which
// stores whatever has arrived in one transaction and then calls each
// delivery's callback (which sends the 202). Nothing is acknowledged before
// it is committed; many deliveries share one commit.
//
// Thread-safety: submit() may be called from any thread; callbacks run on
// a writer thread and must not block.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "reviewer/server/queue.h"

namespace reviewer { class Metrics; }

namespace reviewer::server {

class IntakeBatcher {
 public:
  // outcome is empty when the commit failed; `error` then says why.
  using Done = std::function<void(std::optional<IntakeOutcome> outcome, const std::string& error)>;

  // `on_stored` runs after each commit that stored at least one job.
  IntakeBatcher(JobQueue& queue, Metrics& metrics, std::function<void()> on_stored, size_t max_batch = 512);
  ~IntakeBatcher();
  IntakeBatcher(const IntakeBatcher&) = delete;
  IntakeBatcher& operator=(const IntakeBatcher&) = delete;

  void submit(IntakeItem item, Done done);
  // Commits what was submitted, then stops the writer. Later submits fail.
  void stop();

 private:
  void run();
  JobQueue& queue_;
  Metrics& metrics_;
  std::function<void()> on_stored_;
  size_t max_batch_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<IntakeItem, Done>> pending_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace reviewer::server
