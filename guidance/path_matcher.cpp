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
      re += "[^/][\\x80-\\xbf]*";  // one character: a byte and its UTF-8 continuation bytes
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
  std::string all;
  for (const auto& g : globs) {
    if (g.empty()) throw Error(Error::Code::invalid_input, "empty path glob");
    if (g.find_first_of("*?") == std::string::npos) {
      const bool rooted = g.front() == '/';
      literals_.push_back({rooted ? g.substr(1) : g, !rooted && g.find('/') == std::string::npos});
      continue;
    }
    if (!all.empty()) all += '|';
    all += "(?:" + glob_to_regex(g) + ")";
  }
  if (all.empty()) return;
  RE2::Options opts;
  opts.set_log_errors(false);
  // Bytes, not UTF-8: a path is whatever bytes git holds and the PR's author
  // chose, and in UTF-8 mode ".*" and "[^/]" match no invalid byte, so a
  // name with one ("db/migrations/1\xff.sql") escaped every wildcard glob,
  // protected paths included (the literal globs above compare bytes).
  opts.set_encoding(RE2::Options::EncodingLatin1);
  auto re = std::make_shared<RE2>(all, opts);
  if (!re->ok()) {
    throw Error(Error::Code::invalid_input, "invalid path glob: " + re->error());
  }
  re_ = std::move(re);
}

bool PathMatcher::matches(const Literal& l, std::string_view path) {
  const std::string_view t = l.text;
  // The pattern's ".*" parts match no newline (RE2's default), so none may
  // lie outside the literal's own span [at, at + t.size()).
  auto no_newline_outside = [&](std::size_t at) {
    return path.substr(0, at).find('\n') == std::string_view::npos &&
           path.substr(at + t.size()).find('\n') == std::string_view::npos;
  };
  if (!l.anywhere) {
    // "t(?:/.*)?" from the root, or "t.*" when t ends in "/".
    if (!path.starts_with(t) || !no_newline_outside(0)) return false;
    return (!t.empty() && t.back() == '/') || path.size() == t.size() || path[t.size()] == '/';
  }
  // "(?:.*/)?t(?:/.*)?": t is one whole segment of the path.
  for (std::size_t at = 0;;) {
    const std::size_t end = path.find('/', at);
    const std::string_view segment = path.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    if (segment == t && no_newline_outside(at)) return true;
    if (end == std::string_view::npos) return false;
    at = end + 1;
  }
}

bool PathMatcher::matches(std::string_view path) const {
  for (const auto& l : literals_) {
    if (matches(l, path)) return true;
  }
  return re_ && RE2::FullMatch(re2::StringPiece(path.data(), path.size()), *re_);
}

}  // namespace reviewer
