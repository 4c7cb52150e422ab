#include "reviewer/git/wildmatch.h"

#include <cctype>
#include <cstddef>

namespace reviewer::git {
namespace {

// The same algorithm as git's wildmatch.c (WM_PATHNAME): the two abort
// codes let a failed `*` tell its callers that trying further positions is
// pointless, which keeps matching polynomial.
enum class Result { match, no_match, abort_all, abort_to_starstar };

constexpr std::size_t npos = std::string_view::npos;

bool posix_class(std::string_view name, unsigned char c) {
  if (name == "alnum") return std::isalnum(c);
  if (name == "alpha") return std::isalpha(c);
  if (name == "blank") return c == ' ' || c == '\t';
  if (name == "cntrl") return std::iscntrl(c);
  if (name == "digit") return std::isdigit(c);
  if (name == "graph") return std::isgraph(c);
  if (name == "lower") return std::islower(c);
  if (name == "print") return std::isprint(c);
  if (name == "punct") return std::ispunct(c);
  if (name == "space") return std::isspace(c);
  if (name == "upper") return std::isupper(c);
  if (name == "xdigit") return std::isxdigit(c);
  return false;
}

// Matches the bracket expression starting at p[pi] == '[' against `tc`.
// On return `pi` is at the closing ']'. abort_all when it is unterminated.
Result match_class(std::string_view p, std::size_t& pi, unsigned char tc) {
  auto at = [&](std::size_t i) -> unsigned char { return i < p.size() ? static_cast<unsigned char>(p[i]) : 0; };
  unsigned char pc = at(++pi);
  bool negated = false;
  if (pc == '!' || pc == '^') {
    negated = true;
    pc = at(++pi);
  }
  unsigned char prev = 0;
  bool matched = false;
  do {
    if (pi >= p.size()) return Result::abort_all;
    if (pc == '\\') {
      pc = at(++pi);
      if (pi >= p.size()) return Result::abort_all;
      if (tc == pc) matched = true;
    } else if (pc == '-' && prev && pi + 1 < p.size() && p[pi + 1] != ']') {
      pc = at(++pi);
      if (pc == '\\') {
        pc = at(++pi);
        if (pi >= p.size()) return Result::abort_all;
      }
      if (tc <= pc && tc >= prev) matched = true;
      pc = 0;  // a range cannot start another range
    } else if (pc == '[' && at(pi + 1) == ':') {
      std::size_t end = p.find(":]", pi + 2);
      if (end == npos) return Result::abort_all;
      if (posix_class(p.substr(pi + 2, end - pi - 2), tc)) matched = true;
      pi = end + 1;
      pc = 0;
    } else if (tc == pc) {
      matched = true;
    }
    prev = pc;
    pc = at(++pi);
  } while (pc != ']');
  if (matched == negated || tc == '/') return Result::no_match;
  return Result::match;
}

Result dowild(std::string_view p, std::size_t pi, std::string_view t, std::size_t ti) {
  for (; pi < p.size(); ++pi, ++ti) {
    const char pc = p[pi];
    if (ti >= t.size() && pc != '*') return Result::abort_all;
    const char tc = ti < t.size() ? t[ti] : '\0';
    switch (pc) {
      case '\\':
        if (++pi >= p.size() || tc != p[pi]) return Result::no_match;
        break;
      case '?':
        if (tc == '/') return Result::no_match;
        break;
      case '*': {
        const std::size_t first_star = pi;
        bool match_slash = false;
        while (pi + 1 < p.size() && p[pi + 1] == '*') ++pi;
        const std::size_t rest = pi + 1;
        if (pi > first_star) {
          // "**" is special only as a whole segment: "a/**/b", "**/b", "a/**".
          const bool starts = first_star == 0 || p[first_star - 1] == '/';
          const bool ends = rest == p.size() || p[rest] == '/' ||
                            (p[rest] == '\\' && rest + 1 < p.size() && p[rest + 1] == '/');
          if (starts && ends) {
            if (rest < p.size() && p[rest] == '/' && dowild(p, rest + 1, t, ti) == Result::match)
              return Result::match;  // "**/" matched zero folders
            match_slash = true;
          }
        }
        if (rest == p.size()) {
          if (!match_slash && t.find('/', ti) != npos) return Result::abort_to_starstar;
          return Result::match;
        }
        if (!match_slash && p[rest] == '/') {
          const std::size_t slash = t.find('/', ti);
          if (slash == npos) return Result::abort_all;
          pi = rest;  // the loop's increment consumes the '/' on both sides
          ti = slash;
          break;
        }
        for (; ti < t.size(); ++ti) {
          const Result r = dowild(p, rest, t, ti);
          if (r != Result::no_match) {
            if (!match_slash || r != Result::abort_to_starstar) return r;
          } else if (!match_slash && t[ti] == '/') {
            return Result::abort_to_starstar;
          }
        }
        return Result::abort_all;
      }
      case '[': {
        const Result r = match_class(p, pi, static_cast<unsigned char>(tc));
        if (r != Result::match) return r;
        break;
      }
      default:
        if (tc != pc) return Result::no_match;
        break;
    }
  }
  return ti < t.size() ? Result::no_match : Result::match;
}

}  // namespace

bool wildmatch(std::string_view pattern, std::string_view text) {
  return dowild(pattern, 0, text, 0) == Result::match;
}

}  // namespace reviewer::git
