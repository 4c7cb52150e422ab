#include "reviewer/git/handles.h"

#include <fmt/format.h>

#include "reviewer/core/error.h"

namespace reviewer::git {

std::string last_error_message() {
  const git_error* e = git_error_last();
  std::string msg = e && e->message ? e->message : "unknown libgit2 error";
  for (char& c : msg) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!msg.empty() && msg.back() == ' ') msg.pop_back();
  return msg;
}

void check(int rc, const char* what) {
  if (rc >= 0) return;
  throw Error(Error::Code::invalid_input, fmt::format("cannot {}: {}", what, last_error_message()));
}

void check(int rc, const std::string& what) { check(rc, what.c_str()); }

}  // namespace reviewer::git
