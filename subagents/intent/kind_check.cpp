// Declared kind vs the change: which files a kind may touch, formatting-only
// style changes, and copy changes that alter logic.
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <re2/re2.h>

#include "subagents/intent/checks.h"
#include "subagents/intent/code_scan.h"
#include "subagents/intent/file_class.h"
#include "subagents/intent/kind_detail.h"
#include "subagents/intent/rules.h"
#include "subagents/intent/text.h"

namespace reviewer::intent {

namespace {

// What a kind may touch. `code_only`: comments and blank lines in other
// files are fine (a docs PR may fix a code comment).
struct KindScope {
  std::string_view kind;
  std::vector<std::string_view> allowed;
  bool code_only;
  std::string rule;
  std::string_view ask;
};

const std::vector<KindScope>& kind_scopes() {
  static const std::vector<KindScope> scopes = {
      {"docs", {"docs", "changelog"}, true, kind_rule("docs", "code"),
       "Move the code change to its own PR, or retitle this one with the kind that describes it "
       "(e.g. 'fix:' or 'feat:') so reviewers read the code."},
      {"chore", {"docs", "changelog", "ci", "build", "manifests", "lockfiles"}, true, kind_rule("chore", "code"),
       "Retitle the PR with the kind that describes the code change (fix, feat, refactor), or split it."},
      {"ci", {"ci", "docs", "changelog", "build"}, true, kind_rule("ci", "code"),
       "Split the code change from the CI change, or retitle the PR to describe it."},
      {"build", {"build", "manifests", "lockfiles", "ci", "docs", "changelog"}, true, kind_rule("build", "code"),
       "Split the code change from the build change, or retitle the PR to describe it."},
      {"test", {"tests", "docs", "changelog", "ci", "build", "manifests", "lockfiles", "resources"}, true,
       std::string(rule::test_changes_source),
       "Say in the title and description why production code changes in a test PR, or move that change "
       "to its own PR."},
      {"deps", {"manifests", "lockfiles", "changelog"}, false, std::string(rule::deps_changes_code),
       "Keep the dependency bump to manifests and lock files; put the code changes it needs in the "
       "description (why they are needed) or in a separate PR."},
  };
  return scopes;
}

constexpr size_t kMaxPerRule = 10;

// The first changed line of a file that the kind does not allow: in the
// first hunk that has one, its first added line, else its first deleted.
const DiffLine* first_offending_line(const FileDiff& fd, bool code_only, int* new_line) {
  for (const auto& h : fd.hunks) {
    std::vector<LineKind> kinds;
    if (code_only) kinds = classify_lines(h);
    const DiffLine* deleted = nullptr;
    for (size_t i = 0; i < h.lines.size(); ++i) {
      const auto& l = h.lines[i];
      if (l.origin == LineOrigin::context) continue;
      if (code_only && kinds[i] != LineKind::code) continue;
      if (l.origin == LineOrigin::added) {
        *new_line = l.new_line;
        return &l;
      }
      if (!deleted) deleted = &l;
    }
    if (deleted) {
      *new_line = h.new_start;
      return deleted;
    }
  }
  return nullptr;
}

// An image reference without its tag and digest: "ghcr.io/acme/python:3.12@sha256:..." -> "ghcr.io/acme/python".
std::string image_repository(std::string_view ref) {
  if (auto at = ref.find('@'); at != std::string_view::npos) ref = ref.substr(0, at);
  const auto slash = ref.rfind('/');
  if (auto colon = ref.rfind(':'); colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    ref = ref.substr(0, colon);
  }
  return std::string(ref);
}

// A container build file whose changed lines only move its base images to
// another tag or digest of the same repository (`FROM python:3.12.1-slim` ->
// `FROM python:3.12.2-slim`), or change a version argument's value: what a
// dependency bump of the image (Dependabot's "Bump python from 3.12.1 to
// 3.12.2") changes, and nothing else. A FROM added without a deleted FROM of
// the same repository, an image argument that names another repository,
// or a line continued with '\' is not a bump.
bool base_image_bump(const FileDiff& fd) {
  const std::string& path = fd.path();
  const auto slash = path.rfind('/');
  const std::string_view name = std::string_view(path).substr(slash == std::string::npos ? 0 : slash + 1);
  const bool container = name == "Dockerfile" || name == "Containerfile" || name.starts_with("Dockerfile.") ||
                         name.ends_with(".dockerfile") || name.ends_with(".Dockerfile");
  if (!container || fd.binary || fd.truncated || fd.hunks.empty()) return false;
  static const RE2 from_line(R"((?i)^\s*FROM\s+(?:--\S+\s+)*([^\s\\$]+)(?:\s+AS\s+\w[\w.-]*)?\s*$)");
  static const RE2 arg_line(R"((?i)^\s*ARG\s+(\w*(?:VERSION|TAG|DIGEST|IMAGE)\w*)=(\S+)\s*$)");
  std::multiset<std::string> from_old, from_new, arg_old, arg_new;
  for (const auto& h : fd.hunks) {
    for (const auto& l : h.lines) {
      if (l.origin == LineOrigin::context) continue;
      std::string ref, arg;
      auto& froms = l.origin == LineOrigin::added ? from_new : from_old;
      auto& args = l.origin == LineOrigin::added ? arg_new : arg_old;
      if (RE2::FullMatch(l.content, from_line, &ref)) {
        froms.insert(image_repository(ref));
      } else if (RE2::FullMatch(l.content, arg_line, &arg, &ref)) {
        // A version number keeps its name; an image reference its repository.
        const bool image = ref.find_first_of("/:@") != std::string::npos;
        args.insert(arg + "=" + (image ? image_repository(ref) : std::string()));
      } else {
        return false;
      }
    }
  }
  return from_old == from_new && arg_old == arg_new;
}

void check_allowed_files(const Diff& diff, const DeclaredIntent& d, const IntentConfig& config,
                         std::vector<Finding>& out) {
  auto it = std::find_if(kind_scopes().begin(), kind_scopes().end(),
                         [&](const KindScope& s) { return s.kind == d.kind; });
  if (it == kind_scopes().end()) return;
  size_t reported = 0, more = 0;
  for (const auto& fd : diff.files) {
    if (fd.excluded()) continue;
    const std::string& path = fd.path();
    auto cls = classify_file(path, config);
    bool allowed = std::find(it->allowed.begin(), it->allowed.end(), cls) != it->allowed.end();
    for (auto extra : it->allowed) allowed = allowed || (extra == "resources" && config.in_class(extra, path));
    if (allowed || (it->kind == "deps" && base_image_bump(fd))) continue;
    int line = 0;
    const DiffLine* l = first_offending_line(fd, it->code_only, &line);
    if (!l && !fd.binary) continue;
    if (reported == kMaxPerRule) {
      ++more;
      continue;
    }
    ++reported;
    std::string evidence = l ? fmt::format("{}:{}: {}{}", path, line, l->origin == LineOrigin::added ? "+ " : "- ",
                                           skeleton(l->content))
                             : fmt::format("{}: binary file changed", path);
    out.push_back(make(config, it->rule, path, line,
                       fmt::format("The PR declares itself '{}' ({}) but changes {} file '{}' (+{} -{}).", d.kind,
                                   d.source, cls == "source" ? "the code of" : cls, path, fd.additions,
                                   fd.deletions),
                       evidence, std::string(it->ask)));
  }
  if (more > 0 && !out.empty()) out.back().message += fmt::format(" ({} more files like this.)", more);
}

// Formatting-only: the same code once whitespace, ',' and ';' are ignored
// and quotes unified, or the same lines in another order.
std::string normalized(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == ',' || c == ';') continue;
    out += c == '\'' ? '"' : c;
  }
  return out;
}

void check_style(const Diff& diff, const DeclaredIntent& d, const IntentConfig& config,
                 std::vector<Finding>& out) {
  if (d.kind != "style") return;
  struct Line {
    std::string norm;
    const DiffLine* line;
    int new_line;
  };
  size_t reported = 0;
  for (const auto& fd : diff.files) {
    if (fd.excluded() || reported == kMaxPerRule) continue;
    auto cls = classify_file(fd.path(), config);
    if (cls == "docs" || cls == "changelog") continue;
    std::vector<Line> del, add;
    for (const auto& h : fd.hunks) {
      auto kinds = classify_lines(h);
      for (size_t i = 0; i < h.lines.size(); ++i) {
        const auto& l = h.lines[i];
        if (l.origin == LineOrigin::context || kinds[i] != LineKind::code) continue;
        Line x{normalized(l.content), &l, l.origin == LineOrigin::added ? l.new_line : h.new_start};
        (l.origin == LineOrigin::added ? add : del).push_back(std::move(x));
      }
    }
    // Lines that only moved (sorted imports) pair up first; what is left
    // must be the same code re-wrapped.
    std::map<std::string, int> del_count, moved;
    for (const auto& x : del) ++del_count[x.norm];
    for (const auto& x : add) {
      auto it = del_count.find(x.norm);
      if (it != del_count.end() && it->second > 0) {
        --it->second;
        ++moved[x.norm];
      }
    }
    auto residual = [&](const std::vector<Line>& lines, std::string& text, const Line*& first) {
      std::map<std::string, int> skip = moved;
      for (const auto& x : lines) {
        auto it = skip.find(x.norm);
        if (it != skip.end() && it->second > 0) {
          --it->second;
          continue;
        }
        text += x.norm;
        if (!first) first = &x;
      }
    };
    std::string del_text, add_text;
    const Line *first_del = nullptr, *first_add = nullptr;
    residual(del, del_text, first_del);
    residual(add, add_text, first_add);
    if (del_text == add_text) continue;
    ++reported;
    const Line* at = first_add ? first_add : first_del;
    std::string evidence = fmt::format("{}:{}: - {} / + {}", fd.path(), at->new_line,
                                       first_del ? skeleton(first_del->line->content) : "(nothing)",
                                       first_add ? skeleton(first_add->line->content) : "(nothing)");
    out.push_back(make(config, kind_rule("style", "code"), fd.path(), at->new_line,
                       fmt::format("The PR declares a style-only change ({}) but '{}' changes more than "
                                   "formatting.",
                                   d.source, fd.path()),
                       evidence,
                       "Keep style PRs to formatting (ideally the formatter's output alone); move the code "
                       "change to its own PR or retitle this one."));
  }
}

void check_copy(const Diff& diff, const DeclaredIntent& d, const IntentConfig& config,
                std::vector<Finding>& out) {
  if (!d.copy) return;
  size_t reported = 0;
  for (const auto& fd : diff.files) {
    if (fd.excluded() || reported == kMaxPerRule) continue;
    auto cls = classify_file(fd.path(), config);
    if (cls == "docs" || cls == "changelog") continue;
    const bool text_data = config.in_class("resources", fd.path());
    for (const auto& h : fd.hunks) {
      auto change = compare_hunk_logic(h, text_data);
      if (!change) continue;
      ++reported;
      out.push_back(make(config, rule::copy_changes_logic, fd.path(), change->line,
                         fmt::format("The PR says it is a {} change ('{}') but '{}' also changes {}.",
                                     d.copy_word, redact(d.subject, 80), fd.path(), change->what),
                         fmt::format("{}:{}: {}", fd.path(), change->line, change->evidence),
                         "Keep the copy change to text (strings, comments, docs); put the change in behaviour "
                         "in its own PR with a title and description that say what it does and why."));
      break;  // one finding per file is enough to make the point
    }
  }
}

}  // namespace

void check_kind(const Diff& diff, const DeclaredIntent& declared, const IntentConfig& config,
                std::vector<Finding>& out) {
  check_allowed_files(diff, declared, config, out);
  check_style(diff, declared, config, out);
  check_copy(diff, declared, config, out);
  check_expectations(diff, declared, config, out);
}

}  // namespace reviewer::intent
