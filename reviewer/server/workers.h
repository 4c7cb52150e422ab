// The worker pool: N threads that claim jobs from the queue under a lease,
// run the JobHandler, and record the result. One heartbeat thread extends
// the leases of running jobs every third of the lease, so a long review
// keeps its job while a crashed worker's lease expires and the job is
// picked up again.
//
// Thread-safety: notify(), busy() and healthy() may be called from any
// thread; start() and stop() from the owner only.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "reviewer/server/job.h"
#include "reviewer/server/queue.h"

namespace reviewer { class Metrics; }
namespace reviewer::app { class JsonLog; }

namespace reviewer::server {

struct WorkerOptions {
  int workers = 2;
  std::chrono::milliseconds lease{60'000};
  std::chrono::milliseconds idle_poll{500};  // how often an idle worker looks (retries come due)
  std::function<void()> on_dead;             // a job was just parked as a dead letter (may be empty)
  int nice = 10;                             // worker threads run this much nicer than the process (workers.cpp)
};

class WorkerPool {
 public:
  WorkerPool(JobQueue& queue, std::shared_ptr<JobHandler> handler, Metrics& metrics, app::JsonLog& log,
             WorkerOptions options);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void start();
  // New jobs were stored: wake idle workers.
  void notify();
  // Stops claiming and waits up to `grace` for running jobs; jobs still
  // running then have their leases released (they run again after a
  // restart, their attempt not counted) and their threads are detached.
  // Returns how many jobs were released.
  int stop(std::chrono::milliseconds grace);

  int busy() const;
  // Every worker thread is alive and the pool is not stopping.
  bool healthy() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace reviewer::server
