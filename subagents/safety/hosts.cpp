#include "subagents/safety/hosts.h"

#include <set>

#include <fmt/format.h>
#include <re2/re2.h>

namespace reviewer::safety {

namespace {

// A URL's host, lower-cased: after the scheme (with a registry+ / sparse+ /
// git+ prefix) and any user:password@.
void hosts_of(std::string_view line, std::set<std::string>& out) {
  static const RE2 re(R"((?i)\b(?:(?:registry|sparse|git)\+)?(?:https?|ssh|git)://(?:[^/@\s"']*@)?([A-Za-z0-9.-]+))");
  re2::StringPiece in(line.data(), line.size());
  std::string host;
  while (out.size() < 64 && RE2::FindAndConsume(&in, re, &host)) {
    for (char& c : host) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    while (!host.empty() && host.back() == '.') host.pop_back();
    if (!host.empty()) out.insert(host);
  }
}

}  // namespace

std::optional<std::string> moved_host(const FileDiff& file) {
  std::set<std::string> added, before;
  bool deleted_host = false;
  for (const Hunk& h : file.hunks) {
    for (const DiffLine& l : h.lines) {
      if (l.origin == LineOrigin::added) {
        hosts_of(l.content, added);
        continue;
      }
      std::set<std::string> here;
      hosts_of(l.content, here);
      deleted_host = deleted_host || (l.origin == LineOrigin::deleted && !here.empty());
      before.insert(here.begin(), here.end());
    }
  }
  if (!deleted_host) return std::nullopt;
  std::vector<std::string> fresh;
  for (const auto& h : added) {
    if (!before.count(h)) fresh.push_back(h);
  }
  if (fresh.empty()) return std::nullopt;
  return fmt::format("{} (was {})", fmt::join(fresh, ", "), fmt::join(before, ", "));
}

}  // namespace reviewer::safety
