#include "reviewer/server/workers.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <map>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include "reviewer/app/log.h"
#include "reviewer/core/error.h"
#include "reviewer/core/metrics.h"

namespace reviewer::server {

// Shared with the threads, which may outlive the pool when detached.
struct WorkerPool::State {
  State(JobQueue& q, std::shared_ptr<JobHandler> h, Metrics& m, app::JsonLog& l, WorkerOptions o)
      : queue(q), handler(std::move(h)), metrics(m), log(l), opt(o) {}
  JobQueue& queue;
  std::shared_ptr<JobHandler> handler;
  Metrics& metrics;
  app::JsonLog& log;
  WorkerOptions opt;

  std::mutex mu;
  std::condition_variable wake;      // new work or stopping
  std::condition_variable finished;  // a job finished
  bool stopping = false;
  bool signalled = false;
  std::condition_variable hb;  // wakes the heartbeat thread to exit
  bool hb_done = false;
  std::map<std::int64_t, Job> running;  // job id -> job (for heartbeats and release)
  std::atomic<int> alive{0};
  std::vector<std::thread> threads;
  std::thread heartbeat;
  std::stop_source cancel;  // asks running handlers to stop (shutdown past the grace period)

  // The database went away (a claim, finish or heartbeat failed): workers
  // stop claiming and back off until it answers again; the leases of the
  // jobs still running here are renewed before the first claim after it,
  // since that claim expires overdue leases (ours too) and would hand our
  // jobs to another worker.
  bool db_lost = false;  // guarded by mu

  void work();
  void beat();
  void run_one(Job job);
  void lost(const std::exception& e);
  bool recover();
  std::string finish(const Job& job, const JobResult& result);
  void pause(std::chrono::milliseconds d);
};

// Logged once per outage, not once per worker and poll.
void WorkerPool::State::lost(const std::exception& e) {
  std::lock_guard lock(mu);
  if (db_lost) return;
  db_lost = true;
  log.error("database_lost", {{"error", e.what()}, {"running_jobs", running.size()}});
}

bool WorkerPool::State::recover() {
  if (!queue.writable()) return false;
  std::vector<Job> jobs;
  {
    std::lock_guard lock(mu);
    if (!db_lost) return true;
    for (const auto& [id, j] : running) jobs.push_back(j);
  }
  try {
    for (const auto& j : jobs) queue.heartbeat(j, opt.lease);
  } catch (const std::exception&) {
    return false;
  }
  std::lock_guard lock(mu);
  if (db_lost) log.info("database_back", {{"running_jobs", running.size()}});
  db_lost = false;
  return true;
}

// Waits `d`, or less when the pool stops.
void WorkerPool::State::pause(std::chrono::milliseconds d) {
  std::unique_lock lock(mu);
  wake.wait_for(lock, d, [this] { return stopping; });
}

// The result of a review is worth keeping through an outage: a failed
// finish is retried (the job stays in `running`, so its lease is renewed
// when the database returns) until it is recorded, the error is not one a
// retry can cure, or shutdown stops the handlers. Only then is the job left
// to its lease, to run again.
std::string WorkerPool::State::finish(const Job& job, const JobResult& result) {
  auto backoff = std::chrono::milliseconds(100);
  auto stop = cancel.get_token();
  for (;;) {
    try {
      return queue.finish(job, result);
    } catch (const Error& e) {
      if (!e.transient() || stop.stop_requested()) {
        log.error("finish_failed", {{"job_id", job.id}, {"delivery_id", job.delivery_id}, {"error", e.what()}});
        return "finish_failed";
      }
      lost(e);
    } catch (const std::exception& e) {
      log.error("finish_failed", {{"job_id", job.id}, {"delivery_id", job.delivery_id}, {"error", e.what()}});
      return "finish_failed";
    }
    std::mutex m;
    std::condition_variable_any cv;
    std::unique_lock lock(m);
    cv.wait_for(lock, stop, backoff, [] { return false; });
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

void WorkerPool::State::work() {
  // Reviews run below the intake's priority. A late 202 makes GitHub give
  // up on a delivery; a review that waits a few milliseconds for the CPU
  // loses nothing. On Linux the nice value is per thread, and the threads a
  // review starts (the agents' std::async) inherit it. Relative to the
  // process's own value, so `nice reviewer serve` keeps the gap. Raising
  // one's own nice value needs no privilege; if it fails the worker runs as
  // before.
  if (opt.nice > 0) {
    const auto tid = static_cast<id_t>(gettid());
    errno = 0;
    const int base = getpriority(PRIO_PROCESS, tid);  // -1 is a valid value: errno tells
    if (errno == 0) setpriority(PRIO_PROCESS, tid, std::min(base + opt.nice, 19));
  }
  auto backoff = opt.idle_poll;
  for (;;) {
    bool down = false;
    {
      std::unique_lock lock(mu);
      if (stopping) break;
      down = db_lost;
    }
    // While the database is away: probe it with a growing pause (up to 5 s)
    // instead of a failing claim per poll.
    if (down && !recover()) {
      pause(backoff);
      backoff = std::min(backoff * 2, std::max(opt.idle_poll, std::chrono::milliseconds(5000)));
      continue;
    }
    backoff = opt.idle_poll;
    std::optional<Job> job;
    try {
      job = queue.claim(opt.lease);
    } catch (const std::exception& e) {
      if (const auto* err = dynamic_cast<const Error*>(&e); err && err->transient()) {
        lost(e);
      } else {
        log.error("claim_failed", {{"error", e.what()}});
        pause(opt.idle_poll);
      }
      continue;
    }
    if (job) {
      run_one(std::move(*job));
      continue;
    }
    std::unique_lock lock(mu);
    wake.wait_for(lock, opt.idle_poll, [this] { return stopping || signalled; });
    signalled = false;
  }
  alive--;
}

void WorkerPool::State::run_one(Job job) {
  const auto id = job.id;
  job.superseded = [q = &queue, id] { return q->superseded(id); };
  {
    std::lock_guard lock(mu);
    running.emplace(id, job);
  }
  log.info("job_started", {{"job_id", id}, {"delivery_id", job.delivery_id}, {"kind", job.kind},
                           {"repository", job.repository}, {"pr", job.pr_number}, {"attempt", job.attempts}});
  const auto t0 = std::chrono::steady_clock::now();
  JobResult result;
  try {
    result = handler->handle(job, cancel.get_token());
  } catch (const std::exception& e) {
    result = {JobResult::Status::retry, std::string("handler error: ") + e.what(), {}};
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string state = finish(job, result);
  if (state == "dead" && opt.on_dead) opt.on_dead();
  const char* metric_result = state == "pending" ? "retried" : state.c_str();
  metrics.inc("reviewer_jobs_total", {{"result", metric_result}});
  if (state == "pending") metrics.inc("reviewer_job_retries_total");
  if (job.kind == "review") metrics.observe("reviewer_review_duration_seconds", {}, secs);
  nlohmann::json f = {{"job_id", id},          {"delivery_id", job.delivery_id}, {"kind", job.kind},
                      {"repository", job.repository}, {"pr", job.pr_number},      {"attempt", job.attempts},
                      {"status", to_string(result.status)}, {"state", state},     {"detail", result.detail},
                      {"duration_ms", static_cast<long>(secs * 1000)}};
  if (!result.run_id.empty()) f["run_id"] = result.run_id;
  if (state == "dead" || state == "lost_lease" || state == "finish_failed") {
    log.error("job_finished", std::move(f));
  } else {
    log.info("job_finished", std::move(f));
  }
  std::lock_guard lock(mu);
  running.erase(id);
  finished.notify_all();
}

void WorkerPool::State::beat() {
  const auto every = std::max(opt.lease / 3, std::chrono::milliseconds(50));
  std::unique_lock lock(mu);
  while (!hb_done) {
    hb.wait_for(lock, every, [this] { return hb_done; });
    if (hb_done) break;
    std::vector<Job> jobs;
    for (const auto& [id, j] : running) jobs.push_back(j);
    lock.unlock();
    for (const auto& j : jobs) {
      try {
        if (!queue.heartbeat(j, opt.lease)) {
          log.error("lease_lost", {{"job_id", j.id}, {"delivery_id", j.delivery_id}});
        }
      } catch (const Error& e) {
        if (e.transient()) {
          lost(e);  // renewed by recover() once the database answers
        } else {
          log.error("heartbeat_failed", {{"job_id", j.id}, {"error", e.what()}});
        }
      } catch (const std::exception& e) {
        log.error("heartbeat_failed", {{"job_id", j.id}, {"error", e.what()}});
      }
    }
    lock.lock();
  }
}

WorkerPool::WorkerPool(JobQueue& queue, std::shared_ptr<JobHandler> handler, Metrics& metrics, app::JsonLog& log,
                       WorkerOptions options)
    : state_(std::make_shared<State>(queue, std::move(handler), metrics, log, options)) {}

WorkerPool::~WorkerPool() { stop(std::chrono::milliseconds(0)); }

void WorkerPool::start() {
  auto s = state_;
  // Counted here, not when a thread first runs: /readyz right after start()
  // must not see a spawned worker the scheduler has not run yet as missing.
  for (int i = 0; i < s->opt.workers; ++i) {
    s->alive++;
    s->threads.emplace_back([s] { s->work(); });
  }
  s->heartbeat = std::thread([s] { s->beat(); });
}

void WorkerPool::notify() {
  std::lock_guard lock(state_->mu);
  state_->signalled = true;
  state_->wake.notify_all();
}

int WorkerPool::stop(std::chrono::milliseconds grace) {
  auto s = state_;
  if (s->threads.empty() && !s->heartbeat.joinable()) return 0;
  std::vector<Job> left;
  {
    std::unique_lock lock(s->mu);
    s->stopping = true;
    s->wake.notify_all();
    s->finished.wait_for(lock, grace, [&] { return s->running.empty(); });
    for (const auto& [id, j] : s->running) left.push_back(j);
  }
  for (const auto& j : left) {
    try {
      s->queue.release(j);
      s->metrics.inc("reviewer_jobs_total", {{"result", "released"}});
      s->log.warn("job_released", {{"job_id", j.id}, {"delivery_id", j.delivery_id},
                                   {"reason", "shutdown grace period over"}});
    } catch (const std::exception& e) {
      s->log.error("release_failed", {{"job_id", j.id}, {"error", e.what()}});
    }
  }
  {
    std::lock_guard lock(s->mu);
    s->hb_done = true;
    s->hb.notify_all();
  }
  if (s->heartbeat.joinable()) s->heartbeat.join();
  // Handlers still running were released: asked to stop, they return soon
  // (a review's agents see the stop at their next check) and their late
  // finish() finds the lease gone and writes nothing. All are joined.
  if (!left.empty()) s->cancel.request_stop();
  for (auto& t : s->threads) t.join();
  s->threads.clear();
  return static_cast<int>(left.size());
}

int WorkerPool::busy() const {
  std::lock_guard lock(state_->mu);
  return static_cast<int>(state_->running.size());
}

bool WorkerPool::healthy() const {
  std::lock_guard lock(state_->mu);
  return !state_->stopping && state_->alive == state_->opt.workers;
}

}  // namespace reviewer::server
