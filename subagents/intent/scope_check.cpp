// Scope: does the diff stay within what the description talks about, and
// does it contain what the description promises?
#include <map>
#include <set>

#include <fmt/format.h>
#include <re2/re2.h>

#include "subagents/intent/checks.h"
#include "subagents/intent/file_class.h"
#include "subagents/intent/rules.h"
#include "subagents/intent/text.h"

namespace reviewer::intent {

namespace {

struct Mentions {
  std::set<std::string, std::less<>> stems;  // stemmed description words
  std::set<std::string, std::less<>> raw;    // lower-cased description words
};

Mentions read_mentions(const std::string& text, const IntentConfig& config) {
  Mentions m;
  for (auto& w : words(text)) {
    if (static_cast<int>(w.size()) < config.min_word_chars || config.ignore_words.count(w)) continue;
    if (std::isdigit(static_cast<unsigned char>(w[0]))) continue;
    m.stems.insert(stem(w));
    m.raw.insert(std::move(w));
  }
  return m;
}

// "auth" names "authentication": a mention that is a prefix of the name (or
// the other way round) counts once both have 4+ characters.
bool mentioned(const Mentions& m, std::string_view name, const IntentConfig& config) {
  std::string s = stem(name);
  if (static_cast<int>(s.size()) < config.min_word_chars || config.ignore_words.count(lower(name))) return false;
  if (m.stems.count(s)) return true;
  auto it = m.stems.lower_bound(s.substr(0, 4));
  for (; it != m.stems.end() && it->compare(0, 4, s, 0, 4) == 0; ++it) {
    if (s.starts_with(*it) || it->starts_with(s)) return true;
  }
  return false;
}

struct Area {
  std::vector<const FileDiff*> files;
  bool mentioned = false;
  int added = 0, deleted = 0;
};

bool area_mentioned(const std::string& area, const Area& a, const Mentions& m, const IntentConfig& config) {
  for (const auto& part : words(area)) {
    if (mentioned(m, part, config)) return true;
  }
  for (const FileDiff* fd : a.files) {
    const std::string& path = fd->path();
    std::string_view name = path;
    name = name.substr(name.rfind('/') == std::string_view::npos ? 0 : name.rfind('/') + 1);
    name = name.substr(0, name.find('.'));
    for (const auto& part : words(name)) {
      if (mentioned(m, part, config)) return true;
    }
    // Identifiers the change touches that the description names verbatim.
    for (const auto& h : fd->hunks) {
      for (const auto& l : h.lines) {
        if (l.origin == LineOrigin::context) continue;
        for (const auto& w : words(l.content)) {
          if (w.size() >= 5 && m.raw.count(w) && !config.ignore_words.count(w)) return true;
        }
      }
    }
  }
  return false;
}

void check_areas(const PullRequest& pr, const Diff& diff, const IntentConfig& config, std::vector<Finding>& out) {
  std::map<std::string, Area> areas;
  for (const auto& fd : diff.files) {
    if (fd.excluded()) continue;
    auto cls = classify_file(fd.path(), config);
    // Tests, docs and lock files go with whatever they test or document.
    if (cls == "tests" || cls == "docs" || cls == "changelog" || cls == "lockfiles") continue;
    Area& a = areas[area_of(fd.path(), config)];
    a.files.push_back(&fd);
    a.added += fd.additions;
    a.deleted += fd.deletions;
  }
  if (areas.size() < 2 || static_cast<int>(areas.size()) > config.narrow_max_areas) return;
  const Mentions m = read_mentions(pr.title + "\n" + strip_html_comments(pr.body), config);
  size_t named = 0;
  for (auto& [name, a] : areas) {
    a.mentioned = area_mentioned(name, a, m, config);
    named += a.mentioned;
  }
  if (named == 0 || named == areas.size()) return;  // nothing to anchor on, or all accounted for
  std::vector<std::string> named_areas;
  for (const auto& [name, a] : areas) {
    if (a.mentioned) named_areas.push_back(name);
  }
  for (const auto& [name, a] : areas) {
    if (a.mentioned) continue;
    std::vector<std::string> files;
    for (size_t i = 0; i < a.files.size() && i < 5; ++i) {
      files.push_back(fmt::format("{} (+{} -{})", a.files[i]->path(), a.files[i]->additions,
                                  a.files[i]->deletions));
    }
    if (a.files.size() > 5) files.push_back(fmt::format("{} more", a.files.size() - 5));
    const FileDiff& first = *a.files.front();
    int line = first.hunks.empty() ? 0 : first.hunks.front().new_start;
    out.push_back(make(config, rule::unmentioned_area, first.path(), line,
                       fmt::format("The PR changes '{}' (+{} -{}), which the title and description never mention; "
                                   "they talk about {}.",
                                   name, a.added, a.deleted, fmt::join(named_areas, ", ")),
                       fmt::format("{}: {}", name, fmt::join(files, ", ")),
                       fmt::format("Say in the description why '{}' changes, or move that change to its own PR.",
                                   name)));
  }
}

// The description without checklist items left unticked: an unticked
// "- [ ] Tests added" is not a promise.
std::string promise_text(const PullRequest& pr) {
  std::string body = strip_html_comments(pr.body), out = pr.title + "\n";
  std::string_view rest = body;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string line(trim(rest.substr(0, nl)));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if ((line.starts_with("- [ ]") || line.starts_with("* [ ]"))) continue;
    out += line;
    out += '\n';
  }
  return out;
}

// An added line that declares a test where it is not a test file: Rust's
// `#[test]` (`#[tokio::test]`, `#[rstest]`) and `#[cfg(test)]` module beside the code, a Go `func TestX(t`
// or a Python `def test_x(` in a module that is not under a test path.
bool adds_inline_test(const Diff& diff) {
  static const RE2 test_line(
      R"(^\s*(?:#\[(?:cfg\(test\)|(?:[\w:]+::)?test\b|rstest\b|test_case\b)|func\s+Test\w*\s*\(|(?:async\s+)?def\s+test_?\w*\s*\())");
  for (const auto& fd : diff.files) {
    for (const auto& h : fd.hunks) {
      for (const auto& l : h.lines) {
        if (l.origin == LineOrigin::added && RE2::PartialMatch(l.content, test_line)) return true;
      }
    }
  }
  return false;
}

void check_promises(const PullRequest& pr, const Diff& diff, const IntentConfig& config,
                    std::vector<Finding>& out) {
  const std::string text = promise_text(pr);
  for (const auto& p : config.promises) {
    std::string promise;
    size_t from = 0;
    while (from < text.size()) {
      std::string match;
      size_t at = search_at(p.phrases, std::string_view(text).substr(from), &match);
      if (at == std::string_view::npos) break;
      at += from;
      // Negations in the same sentence before the phrase, or inside it.
      size_t start = at;
      while (start > 0 && at - start < 60 && text[start - 1] != '\n' && text[start - 1] != '.') --start;
      std::string window = text.substr(start, at - start) + match;
      if (!search(config.negations, window)) {
        promise = match;
        break;
      }
      from = at + std::max<size_t>(match.size(), 1);
    }
    if (promise.empty()) continue;
    bool kept = false;
    for (const auto& fd : diff.files) kept = kept || config.in_class(p.path_class, fd.path());
    if (kept || (p.path_class == "tests" && adds_inline_test(diff))) continue;
    out.push_back(make(config, rule::promise_not_kept, "", 0,
                       fmt::format("The description says '{}', but the diff changes no {} files.", redact(promise, 80),
                                   p.path_class),
                       fmt::format("description: {}", promise),
                       fmt::format("Add the {} the description promises, or correct the description.",
                                   p.name == "tests" ? "tests" : p.name)));
  }
}

}  // namespace

void check_scope(const PullRequest& pr, const Diff& diff, const IntentConfig& config, std::vector<Finding>& out) {
  check_areas(pr, diff, config, out);
  check_promises(pr, diff, config, out);
}

}  // namespace reviewer::intent
