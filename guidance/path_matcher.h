// Matches repository paths against gitignore-style globs: "*" and "?" stay
// within one path segment, "**" spans segments, a pattern without "/" matches
// the file name at any depth. Compiled once to one RE2 set, so matching is
// linear in the path length whatever the patterns. Globs without a wildcard
// (most test mappings once a file's name is put in, "setup.py") are compared
// as text instead: compiling an RE2 for them was most of the logic agent's
// per-file cost.
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
  bool empty() const { return !re_ && literals_.empty(); }

  // The RE2 pattern for one glob (exposed for tests and error messages).
  static std::string glob_to_regex(std::string_view glob);

 private:
  // A glob without "*" or "?", matched exactly as glob_to_regex's pattern
  // would be: at the root (a leading "/" or any "/" inside) or as any
  // whole segment (no "/"); "dir/" matches below it, "dir" the path and
  // below it.
  struct Literal {
    std::string text;  // without a leading "/"
    bool anywhere = false;
  };
  static bool matches(const Literal& l, std::string_view path);

  std::vector<Literal> literals_;
  std::shared_ptr<const re2::RE2> re_;  // the globs with a wildcard
};

}  // namespace reviewer
