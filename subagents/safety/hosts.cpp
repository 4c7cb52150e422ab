#include "subagents/safety/hosts.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <re2/re2.h>

namespace reviewer::safety {

namespace {

// A URL's host, lower-cased: after the scheme (with a registry+ / sparse+ /
// git+ prefix) and any user:password@. The user part stops at '\', '?' and
// '#' as URL parsers do: "https://evil.example\@registry.npmjs.org/" is a
// download from evil.example.
void hosts_of(std::string_view line, std::set<std::string>& out) {
  static const RE2 re(R"((?i)\b(?:(?:registry|sparse|git)\+)?(?:https?|ssh|git)://(?:[^/?#@\s"'\\]*@)?([A-Za-z0-9.-]+))");
  re2::StringPiece in(line.data(), line.size());
  std::string host;
  while (RE2::FindAndConsume(&in, re, &host)) {
    for (char& c : host) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    while (!host.empty() && host.back() == '.') host.pop_back();
    if (!host.empty()) out.insert(host);
  }
}

// Opening minus closing brackets on a line, outside JSON strings (a URL
// with "[[[" in a funding block must not hide the lines after it).
int depth_change(std::string_view line) {
  int d = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    d += (c == '{' || c == '[') - (c == '}' || c == ']');
  }
  return d;
}

}  // namespace

std::optional<std::string> moved_host(const FileDiff& file) {
  // A package's metadata (npm's funding, composer's homepage, support and
  // authors) names sponsor and project pages, not where it downloads from:
  // every dependency update that adds a package would otherwise "move".
  // Only a metadata key that opens a block, or holds one string or one
  // small object, on its line: anything else there is read as usual.
  static const RE2 metadata(
      R"re(^\s*"(?:funding|homepage|support|bugs|author|authors|contributors|maintainers|repository)"\s*:\s*)re"
      R"re((?:[\[{]|"(?:[^"\\]|\\.)*"\s*,?|\{(?:[^{}"]|"(?:[^"\\]|\\.)*")*\}\s*,?)\s*$)re");
  std::set<std::string> added, before;
  bool deleted_host = false;
  for (const Hunk& h : file.hunks) {
    int in_metadata = 0;  // bracket depth inside a metadata value
    for (const DiffLine& l : h.lines) {
      if (in_metadata > 0) {
        in_metadata += depth_change(l.content);
        continue;
      }
      if (RE2::PartialMatch(l.content, metadata)) {
        in_metadata = std::max(0, depth_change(l.content));
        continue;
      }
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
