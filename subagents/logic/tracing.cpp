#include "subagents/logic/tracing.h"

#include <deque>
#include <map>
#include <set>

#include <fmt/format.h>
#include <re2/re2.h>

#include "reviewer/git/index/lexer.h"
#include "reviewer/git/index/symbols.h"

namespace reviewer::logic {

namespace {

using index::DefKind;
using index::Lang;
using index::OccKind;
using index::Space;

class Tracer {
 public:
  Tracer(const Config& cfg, const std::vector<FileView>& files, const index::RepoIndex& head,
         const LineReader& read_line, std::vector<Finding>& out)
      : cfg_(cfg), files_(files), head_(head), read_line_(read_line), out_(out) {
    for (const FileView& f : files) {
      for (const HunkView& h : f.hunks) {
        for (const SideLine& l : h.new_side) {
          if (l.line->origin == LineOrigin::added) added_[f.path].insert(l.line->new_line);
        }
      }
    }

  }

  void run() {
    for (const FileView& f : files_) {
      if (f.lang == Lang::unknown) continue;
      for (const HunkView& h : f.hunks) {
        if (f.lang != Lang::data) definitions(f, h);
        literals(f, h);
      }
    }
  }

 private:
  // Hits at head that the PR did not add, optionally filtered.
  template <class Keep>
  std::vector<index::Hit> outside(const std::vector<index::Hit>& hits, Keep keep) const {
    std::vector<index::Hit> out;
    for (const auto& h : hits) {
      auto it = added_.find(head_.path(h.file));
      if (it != added_.end() && it->second.count(static_cast<int>(h.line))) continue;
      if (keep(h)) out.push_back(h);
    }
    return out;
  }

  // Like outside(occurrences(...)), but stops once more than `cap` hits
  // are kept: enough to tell "too common" without walking them all.
  template <class Keep>
  std::vector<index::Hit> collect(Space space, const std::string& text, size_t cap, Keep keep) const {
    std::vector<index::Hit> out;
    head_.visit(space, text, [&](const index::Hit& h) {
      auto it = added_.find(head_.path(h.file));
      if (it != added_.end() && it->second.count(static_cast<int>(h.line))) return true;
      if (keep(h)) out.push_back(h);
      return out.size() <= cap;
    });
    return out;
  }

  std::string evidence(const std::vector<index::Hit>& hits) const {
    std::vector<std::string> locs;
    for (size_t i = 0; i < hits.size() && i < static_cast<size_t>(cfg_.tracing.max_evidence); ++i) {
      locs.push_back(fmt::format("{}:{}", head_.path(hits[i].file), hits[i].line));
    }
    std::string s = fmt::format("{}", fmt::join(locs, ", "));
    if (hits.size() > locs.size()) s += fmt::format(" (and {} more)", hits.size() - locs.size());
    return s;
  }

  static int anchor(const HunkView& h) {
    for (const SideLine& l : h.new_side) {
      if (l.changed()) return l.line->new_line;
    }
    for (const DiffLine& l : h.hunk->lines) {
      if (l.origin != LineOrigin::deleted) return l.new_line;
    }
    return h.hunk->new_start > 0 ? h.hunk->new_start : 1;
  }

  struct SideDefs {
    std::string text;                       // keeps the views alive
    std::vector<index::Definition> defs;    // only those on changed lines
  };
  SideDefs side_defs(const FileView& f, const std::vector<SideLine>& side, bool old_side) {
    SideDefs s;
    std::set<std::uint32_t> changed;
    std::uint32_t start = 0;
    for (const SideLine& l : side) {
      auto n = static_cast<std::uint32_t>(old_side ? l.line->old_line : l.line->new_line);
      if (start == 0) start = n;
      if (l.changed()) changed.insert(n);
      s.text += l.line->content;
      s.text += '\n';
    }
    auto toks = index::tokenize(f.lang, s.text, nullptr, start == 0 ? 1 : start);
    for (const auto& d : index::analyze(f.lang, toks).defs) {
      if (!changed.count(d.line)) continue;
      s.defs.push_back(d);
      names_.emplace_back(d.name);  // the token views point into s.text
      s.defs.back().name = names_.back();
    }
    return s;
  }

  void definitions(const FileView& f, const HunkView& h) {
    SideDefs old_defs = side_defs(f, h.old_side, true);
    if (old_defs.defs.empty()) return;
    SideDefs new_defs = side_defs(f, h.new_side, false);
    for (const auto& d : old_defs.defs) {
      if (d.name.size() < static_cast<size_t>(cfg_.tracing.min_name_length)) continue;
      const index::Definition* now = nullptr;
      for (const auto& n : new_defs.defs) {
        if (n.name == d.name) now = &n;
      }
      if (!now) {
        dangling(f, h, d);
      } else {
        arity_changed(f, d, *now);
      }
    }
  }

  void dangling(const FileView& f, const HunkView& h, const index::Definition& d) {
    const Rule* rule = cfg_.rule("logic/dangling-reference");
    if (!rule || !seen_.insert("dangling:" + std::string(d.name)).second) return;
    if (d.kind == DefKind::variable) return;  // module-level assignments are too loose to trace
    if (!head_.definitions(d.name).empty()) return;  // moved or still defined elsewhere
    bool callable = d.kind == DefKind::function || d.kind == DefKind::method;
    auto hits = outside(head_.occurrences(Space::ident, d.name), [&](const index::Hit& hit) {
      if (head_.lang(hit.file) != f.lang || hit.kind == OccKind::def_site) return false;
      return !callable || hit.kind == OccKind::call || hit.kind == OccKind::method_call;
    });
    if (hits.empty()) return;
    out_.push_back(make_finding(*rule, f.path, anchor(h), evidence(hits),
                                fmt::format("'{}' is removed or renamed here but still used at head.", d.name)));
  }

  static bool accepts(std::int16_t min, std::int16_t max, std::int16_t argc) {
    return argc >= min && (max == index::kVariadic || argc <= max);
  }

  void arity_changed(const FileView& f, const index::Definition& old_def, const index::Definition& new_def) {
    const Rule* rule = cfg_.rule("logic/call-site-mismatch");
    if (!rule || old_def.min_arity < 0 || new_def.min_arity < 0) return;
    if (old_def.min_arity == new_def.min_arity && old_def.max_arity == new_def.max_arity) return;
    if (!seen_.insert("arity:" + std::string(new_def.name)).second) return;
    auto defs = head_.definitions(new_def.name);
    for (const auto& d : defs) {  // overloads or same-named functions elsewhere: calls are ambiguous
      if (d.min_arity != new_def.min_arity || d.max_arity != new_def.max_arity) return;
    }
    auto hits = outside(head_.occurrences(Space::ident, new_def.name), [&](const index::Hit& hit) {
      if (head_.lang(hit.file) != f.lang || hit.argc < 0) return false;
      bool kind_ok = new_def.has_self ? hit.kind == OccKind::method_call
                                      : (hit.kind == OccKind::call || hit.kind == OccKind::method_call);
      return kind_ok && accepts(old_def.min_arity, old_def.max_arity, hit.argc) &&
             !accepts(new_def.min_arity, new_def.max_arity, hit.argc);
    });
    if (hits.empty()) return;
    out_.push_back(make_finding(
        *rule, f.path, static_cast<int>(new_def.line), evidence(hits),
        fmt::format("'{}' now takes {} but these calls still pass {}.", new_def.name,
                    arity_text(new_def), hits.size() == 1 ? fmt::format("{}", hits[0].argc) : "the old count")));
  }

  static std::string arity_text(const index::Definition& d) {
    if (d.max_arity == index::kVariadic) return fmt::format("at least {} arguments", d.min_arity);
    if (d.min_arity == d.max_arity) return fmt::format("{} argument{}", d.min_arity, d.min_arity == 1 ? "" : "s");
    return fmt::format("{} to {} arguments", d.min_arity, d.max_arity);
  }

  // Pairs each run of deleted lines with the run of added lines after it.
  void literals(const FileView& f, const HunkView& h) {
    const auto& lines = h.hunk->lines;
    for (size_t i = 0; i < lines.size();) {
      if (lines[i].origin != LineOrigin::deleted) {
        ++i;
        continue;
      }
      size_t d0 = i;
      while (i < lines.size() && lines[i].origin == LineOrigin::deleted) ++i;
      size_t a0 = i;
      while (i < lines.size() && lines[i].origin == LineOrigin::added) ++i;
      if (i - a0 != a0 - d0) continue;  // not a line-for-line replacement
      for (size_t k = 0; k < a0 - d0; ++k) compare_lines(f, lines[d0 + k], lines[a0 + k]);
    }
  }

  void compare_lines(const FileView& f, const DiffLine& before, const DiffLine& after) {
    auto a = index::tokenize(f.lang, before.content);
    auto b = index::tokenize(f.lang, after.content);
    if (a.size() != b.size() || a.empty()) return;
    std::vector<size_t> diffs;
    for (size_t k = 0; k < a.size(); ++k) {
      if (a[k].kind != b[k].kind) return;
      if (a[k].text != b[k].text) diffs.push_back(k);
    }
    if (diffs.size() != 1) return;  // one literal changed: anything more is a rewrite
    size_t k = diffs[0];
    std::string old_text(a[k].text), new_text(b[k].text);
    bool env_ident = a[k].kind == index::TokKind::ident && k >= 2 && a[k - 1].text == "." &&
                     (a[k - 2].text == "env" || a[k - 2].text == "ENV");
    if (a[k].kind == index::TokKind::string || env_ident) {
      changed_string(f, after, old_text, new_text, env_ident);
    } else if (a[k].kind == index::TokKind::number) {
      changed_number(f, after, old_text, new_text, /*in_string=*/false);
    }
  }

  static bool key_like(std::string_view s) {
    static const RE2 kKey(R"([A-Za-z_][A-Za-z0-9_.\-]{2,})");
    return RE2::FullMatch(s, kKey);
  }
  static bool env_like(std::string_view s) {
    static const RE2 kEnv(R"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)");
    return RE2::FullMatch(s, kEnv);
  }

  void changed_string(const FileView& f, const DiffLine& at, const std::string& old_s, const std::string& new_s,
                      bool env_ident) {
    if (old_s.size() < 3) return;
    bool key = env_ident || key_like(old_s);
    auto keep_all = [](const index::Hit&) { return true; };
    size_t cap = static_cast<size_t>(cfg_.tracing.max_literal_hits);
    auto hits = collect(Space::string, old_s, cap, keep_all);
    if (key) {
      bool env = env_ident || env_like(old_s);
      auto idents = collect(Space::ident, old_s, cap, [&](const index::Hit& hit) {
        return hit.kind != OccKind::def_site && (env || head_.lang(hit.file) == Lang::data);
      });
      hits.insert(hits.end(), idents.begin(), idents.end());
    }
    if (!hits.empty() && hits.size() <= static_cast<size_t>(cfg_.tracing.max_literal_hits)) {
      const Rule* rule = cfg_.rule(key ? "logic/renamed-key" : "logic/coupled-literal");
      if (rule && seen_.insert("str:" + old_s).second) {
        out_.push_back(make_finding(*rule, f.path, at.new_line, evidence(hits),
                                    fmt::format("The old value {} is still used at head.", shown(old_s))));
      }
      return;
    }
    // A number inside a message ("at most 40 characters" -> "... 50 ..."):
    // the code that enforces it may still use the old number.
    static const RE2 kNum(R"((\d+))");
    std::vector<std::string> on, nn;
    re2::StringPiece so(old_s), sn(new_s);
    std::string n;
    while (on.size() < 8 && RE2::FindAndConsume(&so, kNum, &n)) on.push_back(n);
    while (nn.size() < 8 && RE2::FindAndConsume(&sn, kNum, &n)) nn.push_back(n);
    if (on.size() != nn.size()) return;
    int changed = -1;
    for (size_t i = 0; i < on.size(); ++i) {
      if (on[i] != nn[i]) changed = changed == -1 ? static_cast<int>(i) : -2;
    }
    if (changed >= 0) changed_number(f, at, on[changed], nn[changed], /*in_string=*/true);
  }

  static bool distinctive(std::string_view n) {
    if (n.size() < 2) return false;  // 0..9 appear everywhere
    if (n[0] != '1') return true;
    return n.find_first_not_of('0', 1) != std::string_view::npos;  // 10, 100, 1000: too common
  }

  void changed_number(const FileView& f, const DiffLine& at, const std::string& old_n, const std::string& new_n,
                      bool in_string) {
    const Rule* rule = cfg_.rule("logic/coupled-literal");
    if (!rule || !distinctive(old_n) || !seen_.insert("num:" + old_n).second) return;
    static const RE2 kCompare(R"((?i)[<>]|==|!=|\b(?:len|length|size|count|max|min|limit)\b|assert|expect)");
    std::string dir(index::dir_of(f.path));
    // Cheap filters first; lines are read (to confirm a comparison) only
    // when the number is rare enough to mean something.
    auto near = collect(Space::number, old_n, static_cast<size_t>(cfg_.tracing.max_literal_hits), [&](const index::Hit& hit) {
      std::string_view p = head_.path(hit.file);
      bool close = cfg_.tests.test_paths.matches(p) || index::dir_of(p) == dir || in_string;
      return close && head_.lang(hit.file) != Lang::data;
    });
    if (near.size() > static_cast<size_t>(cfg_.tracing.max_literal_hits)) return;
    std::vector<index::Hit> hits;
    for (const auto& hit : near) {
      auto text = read_line_ ? read_line_(head_.path(hit.file), hit.line) : std::nullopt;
      if (text && RE2::PartialMatch(*text, kCompare)) hits.push_back(hit);
    }
    if (hits.empty() || hits.size() > static_cast<size_t>(cfg_.tracing.max_literal_hits)) return;
    out_.push_back(make_finding(*rule, f.path, at.new_line, evidence(hits),
                                fmt::format("{} changes from {} to {}, but {} is still checked or asserted at head.",
                                            in_string ? "A number in this text" : "This value", old_n, new_n,
                                            old_n)));
  }

  // A literal as shown in a message: long opaque tokens could be secrets.
  static std::string shown(const std::string& s) {
    bool space = s.find(' ') != std::string::npos;
    if (s.size() <= 24 || (space && s.size() <= 80)) return "'" + s + "'";
    if (space) return "'" + s.substr(0, 60) + "…'";
    return "'" + s.substr(0, 4) + "…' (" + std::to_string(s.size()) + " characters)";
  }

  const Config& cfg_;
  const std::vector<FileView>& files_;
  const index::RepoIndex& head_;  // read-only: shared with other agents' threads
  const LineReader& read_line_;
  std::vector<Finding>& out_;
  std::map<std::string, std::set<int>, std::less<>> added_;
  std::set<std::string> seen_;
  std::deque<std::string> names_;  // stable addresses for definition names
};

}  // namespace

void trace_change(const Config& cfg, const std::vector<FileView>& files, const index::RepoIndex& head,
                  const LineReader& read_line, std::vector<Finding>& out) {
  Tracer(cfg, files, head, read_line, out).run();
}

}  // namespace reviewer::logic
