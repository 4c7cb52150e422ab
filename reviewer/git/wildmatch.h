// Git's pattern matching for .gitattributes paths ("wildmatch" with
// WM_PATHNAME): `*` and `?` stop at '/', `**` as a whole path segment
// crosses folders, `[...]` classes, backslash escapes. Case-sensitive.
#pragma once

#include <string_view>

namespace reviewer::git {

// True when `text` (a slash-separated relative path) matches `pattern`.
// Runs in time polynomial in the sizes (no exponential backtracking), so
// untrusted patterns and paths cannot hang it.
bool wildmatch(std::string_view pattern, std::string_view text);

}  // namespace reviewer::git
