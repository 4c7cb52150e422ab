// Claim latency of the PostgreSQL queue (issue 20's target: job enqueued ->
// worker started, p99 < 50 ms with LISTEN/NOTIFY). Two queues on one
// database stand for two `serve` instances: one enqueues (intake), the
// other's idle worker pool runs the job, woken as serve wires it
// (JobQueue::on_new_jobs -> WorkerPool::notify). The baseline leaves the
// wake-up unwired, as if NOTIFY did not exist: workers find the job at
// their next poll (WorkerOptions::idle_poll, 500 ms in serve).
//
// Usage: claim_latency POSTGRESQL_URL [SAMPLES (1000)] [POLL_SAMPLES (200)]
// (bench/postgres.sh runs it inside a throw-away cluster). One job at a
// time, 0-20 ms apart at random so the polling baseline is not in phase.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <fmt/format.h>

#include "reviewer/app/log.h"
#include "reviewer/core/metrics.h"
#include "reviewer/server/queue.h"
#include "reviewer/server/workers.h"
#include "storage/postgres.h"

using namespace reviewer;
using Clock = std::chrono::steady_clock;

namespace {

// Notes when each job's handler starts.
class StartClock : public JobHandler {
 public:
  JobResult handle(const Job& job, std::stop_token) override {
    auto now = Clock::now();
    std::lock_guard lock(mu_);
    started_[job.delivery_id] = now;
    cv_.notify_all();
    return {JobResult::Status::done, "", {}};
  }
  std::optional<Clock::time_point> wait(const std::string& id, std::chrono::seconds timeout) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return started_.count(id) > 0; })) return std::nullopt;
    return started_[id];
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Clock::time_point> started_;
};

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  auto i = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size()))) - 1;  // nearest rank
  return v[std::min(i, v.size() - 1)];
}

void measure(const std::string& url, bool notify, int samples) {
  auto intake = server::JobQueue::open_postgres(url, {});
  auto queue = server::JobQueue::open_postgres(url, {});
  auto handler = std::make_shared<StartClock>();
  Metrics metrics;
  std::FILE* devnull = std::fopen("/dev/null", "w");
  app::JsonLog log(devnull);
  server::WorkerOptions wo;
  wo.workers = 2;  // serve's default
  wo.nice = 0;
  server::WorkerPool pool(*queue, handler, metrics, log, wo);
  if (notify) queue->on_new_jobs([&pool] { pool.notify(); });
  pool.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the listener connects
  std::mt19937 rng(42);
  std::vector<double> ms;
  int lost = 0;
  for (int i = 0; i < samples; ++i) {
    const std::string id = fmt::format("{}-{}", notify ? "notify" : "poll", i);
    server::IntakeItem item;
    item.delivery = {id, "pull_request", "synchronize", "o/r", "{}", "{}", "queued"};
    item.job = server::JobSpec{"review", "o/r", i + 1, "abc", true};
    const auto t0 = Clock::now();
    intake->enqueue({item});
    if (auto t1 = handler->wait(id, std::chrono::seconds(5))) {
      ms.push_back(std::chrono::duration<double, std::milli>(*t1 - t0).count());
    } else {
      ++lost;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 20'000));
  }
  queue->on_new_jobs({});
  pool.stop(std::chrono::seconds(5));
  std::fclose(devnull);
  std::printf("%-22s samples %4zu  p50 %7.2f ms  p90 %7.2f ms  p99 %7.2f ms  max %7.2f ms  not started in 5 s: %d\n",
              notify ? "LISTEN/NOTIFY" : "polling (no NOTIFY)", ms.size(), percentile(ms, 50), percentile(ms, 90),
              percentile(ms, 99), *std::max_element(ms.begin(), ms.end()), lost);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: claim_latency POSTGRESQL_URL [SAMPLES] [POLL_SAMPLES]\n");
    return 2;
  }
  const std::string server = argv[1];
  const int samples = argc > 2 ? std::atoi(argv[2]) : 1000;
  const int poll_samples = argc > 3 ? std::atoi(argv[3]) : 200;
  const std::string schema = fmt::format("bench_claim_{}", ::getpid());
  storage::PgConnection::open(server, "bench").exec("CREATE SCHEMA " + schema);
  const std::string url =
      fmt::format("{}{}options=-csearch_path%3D{}", server, server.find('?') == std::string::npos ? "?" : "&", schema);
  try {
    measure(url, true, samples);
    measure(url, false, poll_samples);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "claim_latency: %s\n", e.what());
    storage::PgConnection::open(server, "bench").exec("DROP SCHEMA " + schema + " CASCADE");
    return 1;
  }
  storage::PgConnection::open(server, "bench").exec("DROP SCHEMA " + schema + " CASCADE");
  return 0;
}
