// Matches repository paths against gitignore-style globs: "*" and "?" stay
// within one path segment, "**" spans segments, a pattern without "/" matches
// the file name at any depth. Compiled once to one RE2 set, so matching is
// linear in the path length whatever the patterns.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace re2 { class RE2; }

namespace reviewer {

class PathMatcher {
 public:
  PathMatcher() = default;
  // Throws reviewer::Error (invalid_input) naming the bad glob.
  explicit PathMatcher(const std::vector<std::string>& globs);

  bool matches(std::string_view path) const;
  bool empty() const { return !re_; }

  // The RE2 pattern for one glob (exposed for tests and error messages).
  static std::string glob_to_regex(std::string_view glob);

 private:
  std::shared_ptr<const re2::RE2> re_;
};

}  // namespace reviewer
