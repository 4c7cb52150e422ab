// A failed GitHub API call: the HTTP status (0 when no response arrived),
// GitHub's own message and the x-github-request-id that support needs.
// Code io is transient (5xx, rate limits, no answer, an open circuit: the
// call may succeed later); invalid_input is permanent.
#pragma once

#include <string>

#include "reviewer/core/error.h"

namespace reviewer::github {

class GitHubError : public Error {
 public:
  GitHubError(Code code, int status, std::string request_id, const std::string& message)
      : Error(code, message, code == Code::io ? Retry::transient : Retry::permanent), status_(status), request_id_(std::move(request_id)) {}

  int status() const { return status_; }            // 0: no HTTP answer (network, timeout, open circuit)
  const std::string& request_id() const { return request_id_; }
  bool not_found() const { return status_ == 404; }

 private:
  int status_;
  std::string request_id_;
};

}  // namespace reviewer::github
