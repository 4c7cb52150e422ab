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
#include "reviewer/server/queue.h"
#include "reviewer/server/settings.h"

namespace reviewer { class Metrics; }
namespace reviewer::app { class JsonLog; }

namespace reviewer::server {

class Server {
 public:
  // Makes the handler that runs the jobs; it may report into the server's
  // log and metrics. Called once, by start().
  using HandlerFactory = std::function<std::shared_ptr<JobHandler>(app::JsonLog&, Metrics&)>;

  // Hands one dead letter to the audit log; throws when it cannot be
  // recorded (it is then reported again later).
  using DeadLetterSink = std::function<void(const DeadLetter&)>;

  // Nothing is opened until start(). With `report_dead`, every job parked
  // as a dead letter is reported through it (at least once: at start, soon
  // after a worker parks one, every 10 s for lease expiries, and at stop).
  Server(ServeSettings settings, HandlerFactory make_handler, app::JsonLog& log, DeadLetterSink report_dead = {});
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
