// refactor/style/perf promise unchanged behaviour: their tests' expectations
// and (for refactor/perf) the public declarations must survive the diff.
#include <map>
#include <set>

#include <fmt/format.h>

#include "subagents/intent/code_scan.h"
#include "subagents/intent/file_class.h"
#include "subagents/intent/kind_detail.h"
#include "subagents/intent/rules.h"
#include "subagents/intent/text.h"

namespace reviewer::intent {

namespace {

constexpr size_t kMaxPerRule = 10;

bool expectation_token(const Token& t) {
  return t.kind == TokenKind::number || t.kind == TokenKind::string || t.kind == TokenKind::literal ||
         is_logic_token(t);
}

std::string collapse(std::string_view s) {
  std::string out;
  bool space = false;
  for (unsigned char c : s) {
    if (std::isspace(c)) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(c);
  }
  return out;
}

struct Located {
  std::string path;
  int line;
  const DiffLine* diff_line;
};

void check_tests(const Diff& diff, const DeclaredIntent& d, const IntentConfig& config, std::vector<Finding>& out) {
  // Expected values on deleted assertion lines that no added assertion line
  // brings back: moved or reformatted assertions are fine, changed ones not.
  std::map<Token, int> added;
  std::vector<std::pair<Located, std::vector<Token>>> deleted;
  for (const auto& fd : diff.files) {
    if (fd.excluded() || classify_file(fd.path(), config) != "tests") continue;
    for (const auto& h : fd.hunks) {
      for (const auto& l : h.lines) {
        if (l.origin == LineOrigin::context || !search(config.assertion_markers, l.content)) continue;
        std::vector<Token> tokens;
        for (auto& t : tokenize(l.content, true)) {
          if (expectation_token(t)) tokens.push_back(std::move(t));
        }
        if (l.origin == LineOrigin::added) {
          for (auto& t : tokens) ++added[t];
        } else {
          deleted.push_back({{fd.path(), h.new_start, &l}, std::move(tokens)});
        }
      }
    }
  }
  size_t reported = 0;
  std::set<std::string> files;
  for (auto& [where, tokens] : deleted) {
    bool changed = false;
    for (const auto& t : tokens) {
      auto it = added.find(t);
      if (it == added.end() || it->second == 0) {
        changed = true;
      } else {
        --it->second;
      }
    }
    if (!changed || files.count(where.path) || reported == kMaxPerRule) continue;
    files.insert(where.path);
    ++reported;
    out.push_back(make(config, kind_rule(d.kind, "tests"), where.path, where.line,
                       fmt::format("The PR declares a {} ({}), which should not change behaviour, but it "
                                   "changes a test expectation in '{}'.",
                                   d.kind, d.source, where.path),
                       fmt::format("{}: - {}", where.path, skeleton(where.diff_line->content)),
                       "Keep the test expectations as they were (a behaviour-preserving change should pass the "
                       "old tests), or say in the title and description which behaviour changes and why."));
  }
}

void check_signatures(const Diff& diff, const DeclaredIntent& d, const IntentConfig& config,
                      std::vector<Finding>& out) {
  std::set<std::string> added;
  for (const auto& fd : diff.files) {
    for (const auto& h : fd.hunks) {
      for (const auto& l : h.lines) {
        if (l.origin == LineOrigin::added) added.insert(collapse(l.content));
      }
    }
  }
  size_t reported = 0;
  for (const auto& fd : diff.files) {
    if (fd.excluded() || classify_file(fd.path(), config) != "source") continue;
    for (const auto& h : fd.hunks) {
      auto kinds = classify_lines(h);
      for (size_t i = 0; i < h.lines.size() && reported < kMaxPerRule; ++i) {
        const auto& l = h.lines[i];
        if (l.origin != LineOrigin::deleted || kinds[i] != LineKind::code) continue;
        if (!search(config.signature_markers, l.content) || added.count(collapse(l.content))) continue;
        ++reported;
        out.push_back(make(config, kind_rule(d.kind, "signature"), fd.path(), h.new_start,
                           fmt::format("The PR declares a {} ({}) but changes or removes a public declaration "
                                       "in '{}'.",
                                       d.kind, d.source, fd.path()),
                           fmt::format("{}: - {}", fd.path(), collapse(l.content)),
                           "Keep the public signature (add the new one beside it and deprecate the old), or "
                           "declare the change as breaking ('!' in the Conventional Commits prefix) and say "
                           "who is affected."));
      }
    }
  }
}

}  // namespace

void check_expectations(const Diff& diff, const DeclaredIntent& declared, const IntentConfig& config,
                        std::vector<Finding>& out) {
  if (declared.kind == "refactor" || declared.kind == "style" || declared.kind == "perf") {
    check_tests(diff, declared, config, out);
  }
  if (declared.kind == "refactor" || declared.kind == "perf") check_signatures(diff, declared, config, out);
}

}  // namespace reviewer::intent
