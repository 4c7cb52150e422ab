#include "guidance/path_matcher.h"

#include <re2/re2.h>

#include "reviewer/core/error.h"

namespace reviewer {

std::string PathMatcher::glob_to_regex(std::string_view glob) {
  std::string re;
  std::string_view g = glob;
  if (!g.empty() && g.front() == '/') {
    g.remove_prefix(1);  // anchored at the repository root
  } else if (g.find('/') == std::string_view::npos || g.starts_with("**/")) {
    re += "(?:.*/)?";    // a bare name matches at any depth
    if (g.starts_with("**/")) g.remove_prefix(3);
  }
  for (size_t i = 0; i < g.size(); ++i) {
    char c = g[i];
    if (c == '*') {
      if (i + 1 < g.size() && g[i + 1] == '*') {
        ++i;
        if (i + 1 < g.size() && g[i + 1] == '/') {
          ++i;
          re += "(?:.*/)?";  // "a/**/b" matches a/b, a/x/b, a/x/y/b
        } else {
          re += ".*";
        }
      } else {
        re += "[^/]*";
      }
    } else if (c == '?') {
      re += "[^/]";
    } else {
      re += RE2::QuoteMeta(std::string(1, c));
    }
  }
  // "dir/" or "dir" also matches everything below it.
  if (!re.empty() && re.back() == '/') {
    re += ".*";
  } else {
    re += "(?:/.*)?";
  }
  return re;
}

PathMatcher::PathMatcher(const std::vector<std::string>& globs) {
  if (globs.empty()) return;
  std::string all;
  for (const auto& g : globs) {
    if (g.empty()) throw Error(Error::Code::invalid_input, "empty path glob");
    if (!all.empty()) all += '|';
    all += "(?:" + glob_to_regex(g) + ")";
  }
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_shared<RE2>(all, opts);
  if (!re->ok()) {
    throw Error(Error::Code::invalid_input, "invalid path glob: " + re->error());
  }
  re_ = std::move(re);
}

bool PathMatcher::matches(std::string_view path) const {
  return re_ && RE2::FullMatch(re2::StringPiece(path.data(), path.size()), *re_);
}

}  // namespace reviewer
