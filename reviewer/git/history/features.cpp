#include "reviewer/git/history/features.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "reviewer/core/text.h"

namespace reviewer::history {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Whether any folder of the path is one of `names`.
bool in_folder(std::string_view path, std::initializer_list<std::string_view> names) {
  std::size_t start = 0;
  while (true) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) return false;
    auto part = path.substr(start, slash - start);
    for (auto n : names) {
      if (part == n) return true;
    }
    start = slash + 1;
  }
}

}  // namespace

std::string_view feature_name(int f) {
  static constexpr std::array<std::string_view, kFeatureCount> kNames = {
      "la",  "ld",  "lt",  "ns",   "nd",   "nf",  "entropy",       "fix",       "ndev",
      "age", "nuc", "exp", "rexp", "sexp", "prior_reverts", "fix_share", "touches_code",
      "author_bug_share", "file_bug_share"};
  return f >= 0 && f < kFeatureCount ? kNames[static_cast<std::size_t>(f)] : std::string_view("?");
}

FileRole file_role(std::string_view raw) {
  const std::string path = lower(raw);
  const auto slash = path.rfind('/');
  const std::string_view name = slash == std::string::npos ? std::string_view(path) : std::string_view(path).substr(slash + 1);
  if (in_folder(path, {"test", "tests", "testing", "spec", "specs", "__tests__", "testdata", "test-data", "fixtures"}) ||
      name.starts_with("test_") || ends_with(name, "_test.go") || ends_with(name, "_test.py") ||
      ends_with(name, "_test.rs") || ends_with(name, "_test.cc") || ends_with(name, "_test.cpp") ||
      ends_with(name, "_spec.rb") || name.find(".test.") != std::string_view::npos ||
      name.find(".spec.") != std::string_view::npos || ends_with(name, "test.java") ||
      ends_with(name, "tests.java") || ends_with(name, "test.kt")) {
    return FileRole::tests;
  }
  if (in_folder(path, {"doc", "docs", "documentation", "man"}) || ends_with(name, ".md") ||
      ends_with(name, ".rst") || ends_with(name, ".txt") || ends_with(name, ".adoc") ||
      name == "license" || name == "authors" || name == "changes" || name == "changelog" ||
      name == "news" || name == "readme" || name == "mailmap" || name == ".mailmap") {
    return FileRole::docs;
  }
  return FileRole::code;
}

std::string subsystem_of(std::string_view path) {
  auto slash = path.find('/');
  if (slash == std::string_view::npos) return "(root)";
  // In a monorepo the top folder only holds the real subsystems
  // ("packages/compiler-core"): count the next level as the subsystem.
  static constexpr std::string_view kContainers[] = {"packages", "src", "lib", "libs", "apps", "modules", "crates",
                                                     "components", "plugins", "services", "pkg", "internal", "cmd"};
  const std::string_view top = path.substr(0, slash);
  const auto next = path.find('/', slash + 1);
  if (next != std::string_view::npos &&
      std::find(std::begin(kContainers), std::end(kContainers), top) != std::end(kContainers)) {
    return std::string(path.substr(0, next));
  }
  return std::string(top);
}

std::string folder_of(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash));
}

double change_entropy(const std::vector<int>& lines) {
  double total = 0;
  for (int n : lines) total += std::max(n, 0);
  if (total <= 0) return 0;
  double h = 0;
  for (int n : lines) {
    if (n <= 0) continue;
    const double p = n / total;
    h -= p * std::log2(p);
  }
  return h;
}

}  // namespace reviewer::history
