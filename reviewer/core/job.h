// What a worker runs: a claimed job, its handler and the handler's result.
// Plain types, so that the queue that stores jobs, the server that runs
// them and the application that handles them share one definition.
#pragma once

#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>

namespace reviewer {

// Which job: the queue's row and the delivery and pull request it serves.
struct JobIdentity {
  std::int64_t id = 0;
  std::string delivery_id;
  std::string event;
  std::string kind;
  std::string repository;
  std::int64_t pr_number = 0;
  std::string head_sha;
  int attempts = 0;  // including the current one
};

// A claimed job, as a worker sees it.
struct Job : JobIdentity {
  std::string lease_token;   // proves this worker still holds the lease
  std::string payload;       // the delivery's raw body
  // True once a newer job for the same PR was queued: a running review for
  // an outdated head must not publish. Safe to call from the handler.
  std::function<bool()> superseded;
};

struct JobResult {
  enum class Status {
    done,        // finished (including "nothing to do")
    failed,      // will never succeed as is (bad payload, no mirror): not retried
    retry,       // transient (network, rate limit): retried with backoff, then a dead letter
    superseded,  // stopped because a newer head was queued; nothing published
  };
  Status status = Status::done;
  std::string detail;  // one line for logs and the jobs table; never a secret
  std::string run_id;  // the review's run id, when one ran
};

const char* to_string(JobResult::Status s);

// The pluggable work of a job. The default handler reviews pull requests
// from local mirrors in dry-run; the GitHub integration supplies its own.
//
// Thread-safety: handle() is called concurrently from several workers.
class JobHandler {
 public:
  virtual ~JobHandler() = default;
  // Runs one job. Exceptions are caught by the worker and treated as retry.
  // `stop` is requested when serve shuts down and the grace period is over:
  // the job has been released (it runs again later), so the handler returns
  // promptly and publishes nothing; the worker waits for it.
  virtual JobResult handle(const Job& job, std::stop_token stop) = 0;
};

}  // namespace reviewer
