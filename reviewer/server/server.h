// `reviewer serve` as an object: the HTTP listener (POST /webhook, GET
// /healthz, /readyz, /metrics), the durable queue, the intake batcher and
// the worker pool, wired together. cmd_serve and the tests both run it.
//
// Thread-safety: start() and stop() from the owning thread only.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "reviewer/server/job.h"
#include "reviewer/server/settings.h"

namespace reviewer::server {

class JsonLog;
class Metrics;
class JobQueue;

class Server {
 public:
  // Makes the handler that runs the jobs; it may report into the server's
  // log and metrics. Called once, by start().
  using HandlerFactory = std::function<std::shared_ptr<JobHandler>(JsonLog&, Metrics&)>;

  // Nothing is opened until start().
  Server(ServeSettings settings, HandlerFactory make_handler, JsonLog& log);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Opens queue.db, starts the workers, binds the listener. Throws
  // reviewer::Error naming what failed (database, address in use, ...).
  void start();
  // Graceful stop: refuses new requests, commits deliveries in flight,
  // lets running jobs finish for up to the grace period, then releases
  // the rest. Returns how many jobs were released. Idempotent.
  int stop();

  Metrics& metrics();
  JobQueue& queue();
  const ServeSettings& settings() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace reviewer::server
