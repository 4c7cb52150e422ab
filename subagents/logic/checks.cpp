#include "subagents/logic/checks.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <re2/re2.h>

#include "reviewer/git/index/lexer.h"

namespace reviewer::logic {

namespace {

using index::Lang;
using index::Token;
using index::TokKind;

bool brace_lang(Lang l) {
  return l == Lang::c || l == Lang::java || l == Lang::js || l == Lang::go || l == Lang::rust;
}

// Tokens of one line's code with adjacent operator characters merged ("==", "&&", "->").
std::vector<std::string> op_tokens(Lang lang, std::string_view code) {
  std::vector<std::string> out;
  auto toks = index::tokenize(lang, code);
  static const std::string_view kOps = "=!<>&|:-+*/%^";
  for (size_t i = 0; i < toks.size(); ++i) {
    const Token& t = toks[i];
    if (t.kind == TokKind::string) {
      out.push_back("\"" + std::string(t.text) + "\"");
    } else if (t.kind == TokKind::punct && kOps.find(t.text[0]) != std::string_view::npos && !out.empty() &&
               i > 0 && toks[i - 1].kind == TokKind::punct && kOps.find(toks[i - 1].text[0]) != std::string_view::npos &&
               toks[i - 1].col + 1 == t.col) {
      out.back() += t.text;
    } else {
      out.emplace_back(t.text);
    }
  }
  return out;
}

bool is_ident_tok(const std::string& s) {
  unsigned char c = s.empty() ? 0 : static_cast<unsigned char>(s[0]);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c >= 0x80;
}

// Length of the member chain "a.b->c::d" starting at i (0 when none).
size_t chain_len(const std::vector<std::string>& t, size_t i) {
  if (i >= t.size() || !is_ident_tok(t[i])) return 0;
  size_t k = i + 1;
  while (k + 1 < t.size() && (t[k] == "." || t[k] == "->" || t[k] == "::") && is_ident_tok(t[k + 1])) k += 2;
  return k - i;
}

bool same_span(const std::vector<std::string>& t, size_t a, size_t b, size_t n) {
  for (size_t k = 0; k < n; ++k) {
    if (t[a + k] != t[b + k]) return false;
  }
  return true;
}

bool boundary_before(const std::vector<std::string>& t, size_t i) {
  if (i == 0) return true;
  const std::string& p = t[i - 1];
  return p == "(" || p == "&&" || p == "||" || p == "," || p == "?" || p == "if" || p == "while" ||
         p == "return" || p == "and" || p == "or" || p == "assert" || p == "elif" || p == "not" || p == "!";
}

bool boundary_after(const std::vector<std::string>& t, size_t i) {
  if (i >= t.size()) return true;
  const std::string& n = t[i];
  return n == ")" || n == "&&" || n == "||" || n == ";" || n == "," || n == "?" || n == ":" || n == "{" ||
         n == "and" || n == "or" || n == "then";
}

}  // namespace

void check_self_comparison(const Rule& rule, const FileView& f, std::vector<Finding>& out) {
  static const std::set<std::string> kCompare = {"==", "===", "<=", ">=", "<", ">"};
  for (const HunkView& h : f.hunks) {
    for (const SideLine& l : h.new_side) {
      if (l.line->origin != LineOrigin::added || l.view.code.empty()) continue;
      auto t = op_tokens(f.lang, l.line->content);  // raw: literals keep their text
      bool hit = false;
      for (size_t i = 0; i < t.size() && !hit; ++i) {
        size_t n = chain_len(t, i);
        if (n == 0) continue;
        size_t op = i + n;
        if (op + n < t.size() + 1 && op < t.size()) {
          bool compare = kCompare.count(t[op]) && boundary_before(t, i);
          bool assign = t[op] == "=" && i == 0 && f.lang != Lang::go;
          if ((compare || assign) && op + 1 + n <= t.size() && chain_len(t, op + 1) == n &&
              same_span(t, i, op + 1, n)) {
            size_t after = op + 1 + n;
            hit = compare ? boundary_after(t, after) : (after == t.size() || t[after] == ";");
          }
        }
        i += n - 1;
      }
      if (hit) out.push_back(make_finding(rule, f.path, l.line->new_line, l.view.code));
    }
  }
}

namespace {

// The text between "?" and its ":" and after the ":" up to the end of the
// expression, for the first ternary on a line; empty when there is none.
bool ternary_same(const std::vector<std::string>& t) {
  for (size_t q = 0; q < t.size(); ++q) {
    if (t[q] != "?" || q + 1 >= t.size() || t[q + 1] == "." || t[q + 1] == ":" || t[q + 1] == ")") continue;
    int depth = 0;
    size_t colon = SIZE_MAX;
    for (size_t k = q + 1; k < t.size(); ++k) {
      if (t[k] == "(" || t[k] == "[" || t[k] == "{") ++depth;
      if (t[k] == ")" || t[k] == "]" || t[k] == "}") --depth;
      if (depth < 0) break;
      if (depth == 0 && t[k] == "?") break;  // nested ternary: leave it
      if (depth == 0 && t[k] == ":") {
        colon = k;
        break;
      }
    }
    if (colon == SIZE_MAX) return false;
    depth = 0;
    size_t end = colon + 1;
    for (; end < t.size(); ++end) {
      if (t[end] == "(" || t[end] == "[" || t[end] == "{") ++depth;
      if (t[end] == ")" || t[end] == "]" || t[end] == "}") --depth;
      if (depth < 0 || (depth == 0 && (t[end] == ";" || t[end] == "," || t[end] == "?"))) break;
    }
    size_t a = colon - (q + 1), b = end - (colon + 1);
    return a > 0 && a == b && same_span(t, q + 1, colon + 1, a);
  }
  return false;
}

struct Block {
  std::vector<std::string> body;
  size_t end = 0;  // index of the closing line
  bool closed = false;
};

// Lines after `start` up to the "}" that closes the block opened on `start`.
Block brace_block(const std::vector<SideLine>& lines, size_t start) {
  Block b;
  int depth = 0;
  for (size_t k = start + 1; k < lines.size(); ++k) {
    std::string_view code = trim(lines[k].view.code);
    if (depth == 0 && !code.empty() && code[0] == '}') {
      b.end = k;
      b.closed = true;
      return b;
    }
    for (char c : code) depth += (c == '{') - (c == '}');
    // Compare raw text: the code view blanks string contents, which would
    // make log("a") and log("b") look alike.
    if (!code.empty()) b.body.emplace_back(trim(lines[k].line->content));
  }
  return b;
}

Block indent_block(const std::vector<SideLine>& lines, size_t start) {
  Block b;
  size_t ind = indent_of(lines[start].line->content).size();
  for (size_t k = start + 1; k < lines.size(); ++k) {
    const std::string_view raw = lines[k].line->content;
    if (trim(raw).empty()) continue;
    if (indent_of(raw).size() <= ind) {
      b.end = k;
      b.closed = true;
      return b;
    }
    if (trim(lines[k].view.code).empty()) continue;  // comment-only line
    b.body.emplace_back(std::string(indent_of(raw).size() - ind, ' ') + std::string(trim(raw)));
  }
  return b;
}

bool any_added(const std::vector<SideLine>& lines, size_t from, size_t to) {
  for (size_t k = from; k <= to && k < lines.size(); ++k) {
    if (lines[k].line->origin == LineOrigin::added) return true;
  }
  return false;
}

}  // namespace

void check_identical_branches(const Rule& rule, const FileView& f, std::vector<Finding>& out) {
  static const RE2 kIfBrace(R"(^if\b.*\{$)");
  static const RE2 kIfColon(R"(^if\b.*:$)");
  for (const HunkView& h : f.hunks) {
    const auto& lines = h.new_side;
    for (size_t i = 0; i < lines.size(); ++i) {
      const SideLine& l = lines[i];
      std::string_view code = trim(l.view.code);
      if (code.empty()) continue;
      if (l.line->origin == LineOrigin::added && (f.lang == Lang::c || f.lang == Lang::java || f.lang == Lang::js) &&
          ternary_same(op_tokens(f.lang, l.line->content))) {
        out.push_back(make_finding(rule, f.path, l.line->new_line, l.view.code));
        continue;
      }
      Block first, second;
      if (brace_lang(f.lang) && RE2::FullMatch(code, kIfBrace)) {
        first = brace_block(lines, i);
        if (!first.closed) continue;
        std::string_view close = trim(lines[first.end].view.code);
        size_t else_line = first.end;
        if (close != "} else {") {
          if (close != "}" || first.end + 1 >= lines.size() || trim(lines[first.end + 1].view.code) != "else {") continue;
          else_line = first.end + 1;
        }
        second = brace_block(lines, else_line);
        if (!second.closed || trim(lines[second.end].view.code) != "}") continue;
      } else if (f.lang == Lang::python && RE2::FullMatch(code, kIfColon)) {
        first = indent_block(lines, i);
        if (!first.closed || trim(lines[first.end].view.code) != "else:" ||
            indent_of(lines[first.end].line->content) != indent_of(l.line->content)) {
          continue;
        }
        second = indent_block(lines, first.end);
        if (!second.closed) continue;
      } else {
        continue;
      }
      if (!first.body.empty() && first.body == second.body && any_added(lines, i, second.end)) {
        out.push_back(make_finding(rule, f.path, l.line->new_line, l.view.code));
      }
    }
  }
}

void check_duplicate_condition(const Rule& rule, const FileView& f, std::vector<Finding>& out) {
  // Condition text per chain, keyed by the chain's indentation.
  static const RE2 kIf(R"(^(?:\}\s*)?(else\s+if|elif|elsif|if)\b\s*(.*?)\s*(?:\{|:|\bthen)?$)");
  for (const HunkView& h : f.hunks) {
    std::map<size_t, std::set<std::string>> chains;
    for (const SideLine& l : h.new_side) {
      std::string_view code = trim(l.view.code);
      if (code.empty()) continue;
      size_t ind = indent_of(l.line->content).size();
      std::string kw, cond;
      // The condition from the raw line: blanked strings would make
      // kind == "a" and kind == "b" look the same.
      bool is_if = RE2::FullMatch(trim(l.line->content), kIf, &kw, &cond);
      // Deeper chains end when a line at or left of their indentation starts.
      for (auto it = chains.begin(); it != chains.end();) {
        bool ends = it->first > ind || (it->first == ind && !is_if && code[0] != '}' && !code.starts_with("else"));
        it = ends ? chains.erase(it) : std::next(it);
      }
      if (!is_if) continue;
      std::string norm;
      for (char c : cond) {
        if (c != ' ' && c != '\t') norm.push_back(c);
      }
      if (norm.empty()) continue;
      if (kw == "if") {
        chains[ind] = {norm};
        continue;
      }
      auto it = chains.find(ind);
      if (it == chains.end()) continue;
      if (!it->second.insert(norm).second && l.line->origin == LineOrigin::added) {
        out.push_back(make_finding(rule, f.path, l.line->new_line, l.view.code));
      }
    }
  }
}

void check_unreachable_code(const Rule& rule, const FileView& f, std::vector<Finding>& out) {
  static const RE2 kCTerm(R"(^(?:return\b[^;]*|throw\b[^;]*|break|continue)\s*;$)");
  static const RE2 kGoTerm(R"(^(?:return\b.*|panic\(.*\)|break|continue)$)");
  static const RE2 kPyTerm(R"(^(?:return\b.*|raise\b.*|break|continue)$)");
  static const RE2 kRustTerm(R"(^(?:return\b[^;]*|break|continue)\s*;$)");
  static const RE2 kFollowOk(
      R"(^(?:\}|\)|\]|case\b|default\b|else\b|elif\b|elsif\b|except\b|finally\b|catch\b|end\b|rescue\b|ensure\b|when\b|function\b|#|\w+:$))");
  const RE2* term = nullptr;
  switch (f.lang) {
    case Lang::c: case Lang::java: case Lang::js: term = &kCTerm; break;
    case Lang::go: term = &kGoTerm; break;
    case Lang::python: term = &kPyTerm; break;
    case Lang::rust: term = &kRustTerm; break;
    default: return;
  }
  for (const HunkView& h : f.hunks) {
    const auto& lines = h.new_side;
    for (size_t i = 0; i + 1 < lines.size(); ++i) {
      std::string_view code = trim(lines[i].view.code);
      if (code.empty() || !RE2::FullMatch(code, *term)) continue;
      int balance = 0;
      for (char c : code) balance += (c == '(' || c == '[' || c == '{') - (c == ')' || c == ']' || c == '}');
      if (balance != 0 || code.back() == ',' || code.back() == '\\' || code.back() == '(') continue;
      size_t k = i + 1;
      while (k < lines.size() && trim(lines[k].view.code).empty()) ++k;
      if (k >= lines.size() || lines[k].line->origin != LineOrigin::added) continue;
      std::string_view next = trim(lines[k].view.code);
      if (indent_of(lines[k].line->content) != indent_of(lines[i].line->content)) continue;
      if (RE2::PartialMatch(next, kFollowOk)) continue;
      out.push_back(make_finding(rule, f.path, lines[k].line->new_line, lines[k].view.code,
                                 "(after line " + std::to_string(lines[i].line->new_line) + ")"));
    }
  }
}

void check_commented_out_code(const Rule& rule, const FileView& f, std::vector<Finding>& out) {
  static const RE2 kCodeLike(
      R"((?:[;{}]\s*$)|(?:^\s*(?:if|for|while|return|def|func|fn|let|const|var|import|from|#include|class|else|elif|try|except|catch)\b.*[(){}:;=])|(?:^\s*[\w.\[\]>-]+\s*(?:=|\+=|-=|:=)\s*[^=\s])|(?:^\s*[\w.]+\([^)]*\)\s*;?\s*$))");
  for (const HunkView& h : f.hunks) {
    size_t run = 0, code_like = 0;
    const SideLine* first = nullptr;
    auto flush = [&]() {
      if (first && run >= static_cast<size_t>(rule.min_lines) && code_like * 10 >= run * 8) {
        out.push_back(make_finding(rule, f.path, first->line->new_line, first->view.comment,
                                   "(" + std::to_string(run) + " lines)"));
      }
      run = code_like = 0;
      first = nullptr;
    };
    for (const SideLine& l : h.new_side) {
      bool comment_only = l.line->origin == LineOrigin::added && trim(l.view.code).empty() &&
                          !trim(l.view.comment).empty();
      if (!comment_only) {
        flush();
        continue;
      }
      std::string_view c = trim(l.view.comment);
      while (!c.empty() && (c[0] == '*' || c[0] == '/' || c[0] == '#' || c[0] == '!')) c.remove_prefix(1);
      if (!first) first = &l;
      ++run;
      if (RE2::PartialMatch(c, kCodeLike)) ++code_like;
    }
    flush();
  }
}

namespace {

// A coverage gate's key and what stands between it and its value:
// coverage.py fail_under, --cov-fail-under, jest/vitest thresholds, JaCoCo
// <minimum>, a script's COVERAGE_MIN, codecov's target.
const std::string& coverage_key() {
  static const std::string k =
      R"((?i)\b(fail[_-]under|coverage[_-]?(?:min\w*|threshold\w*|limit\w*)|min(?:imum)?[_-]?coverage\w*|branches|functions|lines|statements|minimum|target|threshold)["']?\s*(?:[=:>]|\s)\s*["']?)";
  return k;
}

// fail-under, Fail_Under and fail_under are one key.
std::string normal_key(std::string key) {
  for (char& c : key) c = c == '-' ? '_' : static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return key;
}

// "key = number" pairs of a coverage gate on one line (raw text).
std::vector<std::pair<std::string, double>> coverage_pairs(std::string_view line) {
  static const RE2 kPair(coverage_key() + R"((\d{1,3}(?:\.\d+)?(?:[eE][-+]?\d{1,2})?)\b)");
  std::vector<std::pair<std::string, double>> out;
  re2::StringPiece in(line.data(), line.size());
  std::string key, num;
  while (out.size() < 16 && RE2::FindAndConsume(&in, kPair, &key, &num)) {
    const double v = std::strtod(num.c_str(), nullptr);
    if (v <= 100) out.emplace_back(normal_key(key), v);  // a percentage or a ratio, not "Threshold: 300" tokens
  }
  return out;
}

// The gate's keys a line sets to a value that is no plain number (0x0,
// 1_0, nan, -inf, auto): what the line sets cannot be compared.
std::vector<std::string> coverage_keys_unread(std::string_view line) {
  static const RE2 kAny(coverage_key() + R"(([^\s"',;}\]<]+))");
  std::vector<std::string> out;
  re2::StringPiece in(line.data(), line.size());
  std::string key, value;
  const auto numbers = coverage_pairs(line);
  while (out.size() < 16 && RE2::FindAndConsume(&in, kAny, &key, &value)) {
    key = normal_key(key);
    const bool read = std::any_of(numbers.begin(), numbers.end(), [&](const auto& p) { return p.first == key; });
    if (!read) out.push_back(key);
  }
  return out;
}

// "threshold" alone is any code's word (a detector's threshold = 0.5).
const RE2& coverage_words() {
  static const RE2 kCoverage(R"((?i)\bcov\b|coverage|\bcovered|jacoco|codecov|fail[_-]under)");
  return kCoverage;
}

std::string short_key(const std::string& k) { return k.size() <= 40 ? k : k.substr(0, 40) + "..."; }

}  // namespace

// A coverage gate's number lowered: a deleted line of the hunk sets a key
// that an added line of the same hunk sets lower, or to a value that is no
// plain number. Only where the file's path or the hunk speaks of coverage
// (a `lines: 80` elsewhere is not a gate).
void check_coverage_lowered(const Rule& rule, const FileView& f, std::vector<Finding>& out) {
  const RE2& kCoverage = coverage_words();
  const bool path_says = RE2::PartialMatch(f.path, kCoverage);
  for (const HunkView& h : f.hunks) {
    bool hunk_says = path_says;
    for (const SideLine& l : h.old_side) hunk_says = hunk_says || RE2::PartialMatch(l.line->content, kCoverage);
    for (const SideLine& l : h.new_side) hunk_says = hunk_says || RE2::PartialMatch(l.line->content, kCoverage);
    if (!hunk_says) continue;
    std::map<std::string, double> before;
    for (const SideLine& l : h.old_side) {
      if (!l.changed()) continue;
      for (const auto& [k, v] : coverage_pairs(l.line->content)) before.emplace(k, v);
    }
    if (before.empty()) continue;
    for (const SideLine& l : h.new_side) {
      if (!l.changed()) continue;
      std::string detail;
      for (const auto& [k, v] : coverage_pairs(l.line->content)) {
        auto it = before.find(k);
        if (it != before.end() && v < it->second) {
          detail = fmt::format("({} lowered from {} to {})", short_key(k), it->second, v);
          break;
        }
      }
      for (const auto& k : coverage_keys_unread(l.line->content)) {
        if (!detail.empty()) break;
        if (before.count(k)) detail = fmt::format("({} set to a value that is no plain number; it was {})", short_key(k), before[k]);
      }
      if (!detail.empty()) out.push_back(make_finding(rule, f.path, l.line->new_line, l.view.code, detail));
    }
  }
}

namespace {

// The files that configure a test or coverage tool alone (".coveragerc",
// "jest.config.ts"): whatever they hold is its settings. A prefix name needs
// the tool's own extension ("jest.config.js.bak" is read by nothing).
bool coverage_tool_config(std::string_view path) {
  const auto slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  for (std::string_view n : {".coveragerc", "codecov.yml", ".codecov.yml", "codecov.yaml", ".nycrc", ".nycrc.json",
                             ".c8rc.json"}) {
    if (name == n) return true;
  }
  for (std::string_view prefix : {"jest.config.", "vitest.config.", "karma.conf."}) {
    if (name.substr(0, prefix.size()) != prefix) continue;
    const std::string_view ext = name.substr(prefix.size());
    for (std::string_view e : {"js", "cjs", "mjs", "ts", "cts", "mts", "json"}) {
      if (ext == e) return true;
    }
  }
  return false;
}

// The files a coverage tool reads its gate from (not docs, not code).
bool coverage_config(std::string_view path) {
  const auto slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  static constexpr std::string_view kNames[] = {".coveragerc", "setup.cfg", "tox.ini", "pyproject.toml", "package.json",
                                                "pom.xml", "build.gradle", "build.gradle.kts", "codecov.yml",
                                                ".codecov.yml", "codecov.yaml", ".nycrc", ".nycrc.json", ".c8rc.json"};
  for (std::string_view n : kNames) {
    if (name == n) return true;
  }
  return coverage_tool_config(path);
}

bool comment_line(std::string_view s) {
  const std::string_view t = s.substr(indent_of(s).size());
  for (std::string_view c : {"#", ";", "//", "*", "/*", "<!--"}) {
    if (t.substr(0, c.size()) == c) return true;
  }
  return false;
}

}  // namespace

void check_coverage_file_deleted(const Rule& rule, const std::vector<FileView>& files, std::vector<Finding>& out) {
  // What the change's configuration files set, highest per key.
  std::map<std::string, double> set_again;
  for (const FileView& f : files) {
    if (f.diff->kind == ChangeKind::deleted || !coverage_config(f.path)) continue;
    for (const HunkView& h : f.hunks) {
      for (const SideLine& l : h.new_side) {
        if (!l.changed() || comment_line(l.line->content)) continue;
        for (const auto& [k, v] : coverage_pairs(l.line->content)) set_again[k] = std::max(set_again[k], v);
      }
    }
  }
  for (const FileView& f : files) {
    // Renamed to a name no tool reads (".coveragerc" to ".coveragerc.old")
    // is deleted as far as the gate goes.
    const FileDiff& d = *f.diff;
    const bool renamed_away = d.kind == ChangeKind::renamed && coverage_config(d.old_path) && !coverage_config(d.new_path);
    if (!(d.kind == ChangeKind::deleted && coverage_config(f.path)) && !renamed_away) continue;
    // Renamed whole, a tool's own file says what it was by its name.
    bool says = RE2::PartialMatch(d.old_path, coverage_words()) ||
                (renamed_away && f.hunks.empty() && coverage_tool_config(d.old_path));
    for (const HunkView& h : f.hunks) {
      for (const SideLine& l : h.old_side) says = says || RE2::PartialMatch(l.line->content, coverage_words());
    }
    if (!says) continue;
    if (renamed_away && f.hunks.empty()) {
      // Renamed whole: its lines are not in the diff, its name says what it was.
      out.push_back(make_finding(rule, f.path, 0, d.old_path,
                                 fmt::format("(the coverage configuration {} is renamed to {}, which no tool reads)",
                                             d.old_path, d.new_path)));
      continue;
    }
    bool reported = false;
    for (const HunkView& h : f.hunks) {
      for (const SideLine& l : h.old_side) {
        if (reported || comment_line(l.line->content)) continue;
        for (const auto& [k, v] : coverage_pairs(l.line->content)) {
          auto it = set_again.find(k);
          if (it != set_again.end() && it->second >= v) continue;
          out.push_back(make_finding(rule, f.path, 0, l.view.code,
                                     fmt::format("(the file is {} with its gate {} = {}, at line {}; no configuration "
                                                 "file of the change sets it again as high)",
                                                 renamed_away ? "renamed to " + d.new_path : std::string("deleted"),
                                                 short_key(k), v, l.line->old_line)));
          reported = true;
          break;
        }
      }
    }
  }
}

namespace {

// Where a Dockerfile's FROM image comes from: its registry and namespace
// (the reference without its last name, tag and digest; "" for Docker
// Hub's official images, docker.io/library/ spelled out or not). nullopt
// for a line that is no FROM or names its image by a variable.
// A FROM continued with '\\' names its image on the next line (`next`).
std::optional<std::string> image_source(std::string_view line, std::string_view next) {
  static const RE2 kFrom(R"((?i)^\s*FROM\s+(?:--\S+\s+)*(\S+))");
  static const RE2 kRef(R"(^\s*(?:--\S+\s+)*(\S+))");
  std::string ref;
  if (!RE2::PartialMatch(line, kFrom, &ref)) return std::nullopt;
  if (ref == "\\" && !RE2::PartialMatch(next, kRef, &ref)) return std::nullopt;
  if (ref.find('$') != std::string::npos) return std::nullopt;
  if (auto at = ref.find('@'); at != std::string::npos) ref.resize(at);
  auto slash = ref.rfind('/');
  if (slash == std::string::npos) return std::string();
  std::string src = ref.substr(0, slash);
  for (char& c : src) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (src == "docker.io/library" || src == "library" || src == "index.docker.io/library") return std::string();
  return src;
}

}  // namespace

// A Dockerfile's base image now comes from another registry or publisher:
// a FROM deleted and a FROM added in one hunk whose sources differ (a tag
// bump on the same image, or a stage renamed, is not reported).
void check_base_image_moved(const Rule& rule, const FileView& f, std::vector<Finding>& out) {
  static const RE2 kDockerfile(R"((?i)(?:^|/)(?:[^/]*dockerfile[^/]*|containerfile[^/]*)$)");
  if (!RE2::PartialMatch(f.path, kDockerfile)) return;
  for (const HunkView& h : f.hunks) {
    auto next_of = [](const std::vector<SideLine>& side, size_t k) {
      return k + 1 < side.size() ? std::string_view(side[k + 1].line->content) : std::string_view();
    };
    std::set<std::string> before;
    for (size_t k = 0; k < h.old_side.size(); ++k) {
      const SideLine& l = h.old_side[k];
      if (!l.changed()) continue;
      if (auto s = image_source(l.line->content, next_of(h.old_side, k))) before.insert(*s);
    }
    if (before.empty()) continue;
    for (size_t k = 0; k < h.new_side.size(); ++k) {
      const SideLine& l = h.new_side[k];
      if (!l.changed()) continue;
      auto s = image_source(l.line->content, next_of(h.new_side, k));
      // Docker Hub's official images (or a stage's name, which reads the
      // same) are no new publisher.
      if (!s || s->empty() || before.count(*s)) continue;
      // The names are the pull request's text: quoted only when short and plain.
      auto shown = [](const std::string& src) {
        const bool plain = src.size() <= 64 && std::all_of(src.begin(), src.end(), [](char c) {
                             return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' ||
                                    c == '/' || c == ':';
                           });
        return src.empty() ? std::string("Docker Hub's official images") : plain ? src : std::string("another source");
      };
      out.push_back(make_finding(rule, f.path, l.line->new_line, l.view.code,
                                 fmt::format("(from {} instead of {})", shown(*s), shown(*before.begin()))));
      break;
    }
  }
}

}  // namespace reviewer::logic
