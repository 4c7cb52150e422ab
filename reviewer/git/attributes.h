// .gitattributes as stored in one commit's tree.
//
// Why not git_attr_get_ext(GIT_ATTR_CHECK_INCLUDE_COMMIT)? In libgit2 1.5
// it always also consults the work tree's .gitattributes, the index,
// $GIT_DIR/info/attributes and core.attributesFile, so the answer would
// depend on the checkout and on the machine. Here only the commit counts,
// which is also what GitHub's linguist does for a pull request.
//
// Supported: one .gitattributes per folder (deeper files and later lines
// win), git's pattern rules (no slash: the basename at any depth; with a
// slash: relative to the file's folder; a trailing slash never matches a
// file; "!pattern" lines are ignored as git does), set / -unset / !unspecified
// / name=value, quoted patterns, the built-in `binary` macro and [attr]
// macros from the top-level file. Not supported: info/attributes and global
// files (by design).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <git2.h>

namespace reviewer::git {

struct AttrValue {
  enum class State { unspecified, set, unset, value };
  State state = State::unspecified;
  std::string value;  // for State::value
};

struct AttrAssign {
  std::string name;
  AttrValue value;
};

struct AttrRule {
  std::string pattern;  // without a leading '/'
  bool basename_only = false;
  std::vector<AttrAssign> assigns;
};

using AttrMacros = std::unordered_map<std::string, std::vector<AttrAssign>>;

// Parses one .gitattributes text. [attr] macro lines are added to `macros`
// when `top_level` (git honours them nowhere else) and skipped otherwise.
std::vector<AttrRule> parse_gitattributes(std::string_view text, bool top_level, AttrMacros& macros);

class Attributes {
 public:
  // Reads lazily from `tree` (not owned; must outlive this object). A null
  // tree means "no attributes anywhere".
  explicit Attributes(const git_tree* tree);
  Attributes(const Attributes&) = delete;
  Attributes& operator=(const Attributes&) = delete;

  // The value of attribute `name` for the file at `path`.
  AttrValue get(std::string_view path, std::string_view name);

  // linguist's boolean reading: nullopt when unspecified, false when unset
  // or "false", true for any other value.
  std::optional<bool> linguist(std::string_view path, std::string_view name);

 private:
  const std::vector<AttrRule>& rules_in(const std::string& dir);

  const git_tree* tree_;
  std::unordered_map<std::string, std::vector<AttrRule>> files_;  // folder -> rules
  AttrMacros macros_;
};

}  // namespace reviewer::git
