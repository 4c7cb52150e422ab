// Group commit for webhook intake: HTTP handlers hand deliveries to the
// writer threads (JobQueue::intake_writers(), one on SQLite), each of which
// stores whatever has arrived in one transaction and then calls each
// delivery's callback (which sends the 202). Nothing is acknowledged before
// it is committed; many deliveries share one commit.
//
// Each writer has its own lane, and a pull request's deliveries always go
// to the same lane: their jobs supersede one another, so batches holding
// the same pull request would commit one after the other anyway (the
// queue orders them); in one lane they share one commit instead.
//
// Thread-safety: submit() may be called from any thread; callbacks run on
// a writer thread and must not block.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
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
  struct Lane {
    std::condition_variable cv;
    std::deque<std::pair<IntakeItem, Done>> pending;
  };
  void run(Lane& lane);
  std::size_t lane_of(const IntakeItem& item);
  JobQueue& queue_;
  Metrics& metrics_;
  std::function<void()> on_stored_;
  size_t max_batch_;
  std::mutex mu_;  // guards every lane's pending, stopping_ and next_
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::size_t next_ = 0;  // round robin for deliveries without a job
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace reviewer::server
