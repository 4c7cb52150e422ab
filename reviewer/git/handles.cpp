#include "reviewer/git/handles.h"

#include <fmt/format.h>

#include "reviewer/core/error.h"

namespace reviewer::git {

void check(int rc, const char* what) {
  if (rc >= 0) return;
  const git_error* e = git_error_last();
  throw Error(Error::Code::invalid_input,
              fmt::format("cannot {}: {}", what, e && e->message ? e->message : "unknown libgit2 error"));
}

}  // namespace reviewer::git
