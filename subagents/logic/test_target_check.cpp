// logic/test-target-disabled: a Makefile's test target (the one a workflow
// runs as `make test`) made a no-op, told to ignore failures or to leave
// tests out, or its recipe deleted. A line pattern cannot tell which target
// a recipe line belongs to, so this walks each hunk, starting from the
// target its header names (git's function context).
#include <algorithm>

#include <re2/re2.h>

#include <fmt/format.h>

#include "subagents/logic/checks.h"

namespace reviewer::logic {

namespace {

bool is_makefile(std::string_view path) {
  const auto slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return name == "Makefile" || name == "makefile" || name == "GNUmakefile" || name.ends_with(".mk");
}

// "name [name...]:" (not ":=", "::=" or "?="); the names in group 1.
const RE2& target_line() {
  static const RE2 re(R"(^([^\s:=#?+!][^:=#]*?)\s*::?(?:[^=:]|$))");
  return re;
}

bool test_target(std::string_view names) {
  static const RE2 re(R"((?:^|\s)(?:test|tests|check|unit|unittests?|(?:[\w.%-]*[-_])?tests?(?:[-_][\w.%-]*)?)(?:\s|$))");
  return RE2::PartialMatch(names, re);
}

// The recipe text without make's prefixes (@ silent, - ignore errors, + always).
struct Recipe {
  bool ignore_errors = false;
  std::string_view body;
};

Recipe recipe_of(std::string_view line) {
  Recipe r;
  size_t i = 1;  // after the tab
  while (i < line.size() && (line[i] == '@' || line[i] == '-' || line[i] == '+' || line[i] == ' ' || line[i] == '\t')) {
    r.ignore_errors = r.ignore_errors || line[i] == '-';
    ++i;
  }
  r.body = line.substr(i);
  return r;
}

bool no_op(std::string_view body) {
  static const RE2 re(R"(^(?:true|:|exit\s+0|(?:echo|printf)\b[^;&|]*)?\s*(?:#.*)?$)");
  return RE2::FullMatch(body, re);
}

// Failures ignored, or tests left out by the runner's own flags.
const char* weakened(std::string_view body) {
  static const RE2 ignored(R"(\|\|\s*(?:true|:|exit\s+0)\b|;\s*(?:true|exit\s+0)\s*$)");
  static const RE2 selection(
      R"(--deselect\b|(?:^|\s)-k\s*["']?\s*not\b|(?:^|\s)-(?:test\.)?skip[=\s]|--passWithNoTests|)"
      R"(--testPathIgnorePatterns|(?:^|\s)-p\s*no:(?:[^c]|c[^a]|ca[^c])|\bgo\s+test\b.*\s-(?:test\.)?run[=\s])");
  // --ignore leaves tests out, unless it is a linter's own (flake8
  // --ignore=E501, mypy --ignore-missing-imports).
  static const RE2 ignore_option(R"(--ignore(?:-glob)?(?:[=\s"',\]]|$))");
  static const RE2 linter(R"(^\s*(?:\S*/)?(?:flake8|pycodestyle|pylint|ruff|mypy|pydocstyle|isort|black|bandit|pip)\b)");
  if (RE2::PartialMatch(body, ignored)) return "its failures are ignored";
  if (RE2::PartialMatch(body, selection)) return "it now leaves tests out";
  if (RE2::PartialMatch(body, ignore_option) && !RE2::PartialMatch(body, linter)) return "it now leaves tests out";
  return nullptr;
}

struct Segment {
  std::string target;            // the target's names; empty when unknown
  int anchor = 0;                // a new-side line to report on
  int deleted_real = 0;          // deleted recipe lines that ran something
  int real_new = 0;              // recipe lines that run something, shown on the new side
  int added_real = 0;            // of those, the added ones
  // Where the target's own line is: a target added whole (test-integration:)
  // or deleted whole (make then fails loudly) weakens no existing target.
  LineOrigin origin = LineOrigin::context;
  std::vector<const DiffLine*> no_ops;  // added no-op recipe lines
};

}  // namespace

void check_test_target_disabled(const Rule& rule, const FileView& f, std::vector<Finding>& out) {
  if (!is_makefile(f.path)) return;
  for (const HunkView& h : f.hunks) {
    Segment seg;
    auto close = [&] {
      if (!seg.target.empty() && test_target(seg.target) && seg.origin == LineOrigin::context) {
        const std::string what = fmt::format("(target '{}'", seg.target);
        if (seg.real_new == 0 && seg.deleted_real > 0 && seg.no_ops.empty()) {
          out.push_back(make_finding(rule, f.path, seg.anchor, seg.target + ":", what + ": its recipe was deleted)"));
        } else if (!seg.no_ops.empty() && (seg.real_new == 0 || seg.deleted_real > seg.added_real)) {
          const DiffLine* l = seg.no_ops.front();
          out.push_back(make_finding(rule, f.path, l->new_line, std::string(l->content), what + ": a no-op now)"));
        }
      }
      seg = Segment{};
    };
    std::string header_target;
    if (auto at = h.hunk->header.find("@@", 2); at != std::string::npos) {
      std::string_view ctx = trim(std::string_view(h.hunk->header).substr(at + 2));
      RE2::PartialMatch(ctx, target_line(), &header_target);
    }
    seg.target = header_target;
    seg.anchor = h.hunk->new_start > 0 ? h.hunk->new_start : 1;
    // Targets whose line is deleted in this hunk: one added again (its
    // comment or prerequisites edited) is the same target, not a new one.
    std::vector<std::string> deleted_targets;
    for (const DiffLine& l : h.hunk->lines) {
      std::string names;
      if (l.origin == LineOrigin::deleted && RE2::PartialMatch(l.content, target_line(), &names)) {
        deleted_targets.push_back(names);
      }
    }
    bool continued_old = false, continued_new = false;  // the previous recipe line ended in '\\'
    // The lines the view holds (a partial review may have cut the hunk).
    const size_t end = h.new_side.size() + h.old_side.size();
    size_t shown = 0;
    for (const DiffLine& l : h.hunk->lines) {
      if (shown >= end) break;
      shown += l.origin == LineOrigin::context ? 2 : 1;
      std::string_view text = l.content;
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
      if (text.starts_with('\t')) {
        // A line continuing the one before (which ended in '\') is part of
        // that command: its leading '-' is an option's, not make's prefix.
        // Tracked per side: deleted lines continue deleted or context ones.
        bool& continued = l.origin == LineOrigin::deleted ? continued_old : continued_new;
        Recipe r = recipe_of(text);
        if (continued) r = Recipe{false, trim(text)};
        const bool continues = !text.empty() && text.back() == '\\';
        if (l.origin != LineOrigin::added) continued_old = continues;
        if (l.origin != LineOrigin::deleted) continued_new = continues;
        if (!seg.target.empty() && test_target(seg.target) && seg.origin == LineOrigin::context &&
            l.origin == LineOrigin::added) {
          const char* why = r.ignore_errors && !no_op(r.body) ? "its failures are ignored" : weakened(r.body);
          if (why) {
            out.push_back(make_finding(rule, f.path, l.new_line, std::string(text),
                                       fmt::format("(target '{}': {})", seg.target, why)));
          }
        }
        const bool real = !no_op(r.body);
        if (l.origin == LineOrigin::deleted) {
          seg.deleted_real += real;
        } else if (real) {
          ++seg.real_new;
          seg.added_real += l.origin == LineOrigin::added;
        } else if (l.origin == LineOrigin::added) {
          seg.no_ops.push_back(&l);
        }
        continue;
      }
      continued_old = continued_new = false;
      std::string_view t = trim(text);
      if (t.empty() || t.starts_with('#')) continue;
      close();
      std::string names;
      if (RE2::PartialMatch(text, target_line(), &names)) {
        seg.target = names;
        const bool again = l.origin == LineOrigin::added &&
                           std::find(deleted_targets.begin(), deleted_targets.end(), names) != deleted_targets.end();
        seg.origin = again ? LineOrigin::context : l.origin;
      }
      if (l.new_line > 0) seg.anchor = l.new_line;
    }
    close();
  }
}

}  // namespace reviewer::logic
