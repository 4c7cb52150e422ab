#include "reviewer/core/job.h"

namespace reviewer {

const char* to_string(JobResult::Status s) {
  switch (s) {
    case JobResult::Status::done: return "done";
    case JobResult::Status::failed: return "failed";
    case JobResult::Status::retry: return "retry";
    case JobResult::Status::superseded: return "superseded";
  }
  return "unknown";
}

}  // namespace reviewer
