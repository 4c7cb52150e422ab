#include "reviewer/git/attributes.h"

#include <algorithm>
#include <cstddef>

#include "reviewer/core/text.h"
#include "reviewer/git/handles.h"
#include "reviewer/git/wildmatch.h"

namespace reviewer::git {
namespace {

// git ignores longer lines; we also read at most this much of each file.
constexpr std::size_t kMaxLine = 2048;
constexpr std::size_t kMaxFile = 1 << 20;
constexpr int kMaxMacroDepth = 8;

bool is_space(char c) { return c == ' ' || c == '\t'; }

bool valid_name(std::string_view n) {
  if (n.empty() || n[0] == '-') return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return c == '-' || c == '.' || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z');
  });
}

// C-style unquoting of a "quoted pattern"; `s` starts at the opening quote.
// Returns false when the quote is not closed.
bool unquote(std::string_view s, std::size_t& end, std::string& out) {
  for (std::size_t i = 1; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"') {
      end = i + 1;
      return true;
    }
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= s.size()) return false;
    c = s[i];
    switch (c) {
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      default:
        if (c >= '0' && c <= '3' && i + 2 < s.size()) {  // \ooo: raw bytes such as UTF-8
          out += static_cast<char>(((c - '0') << 6) | ((s[i + 1] - '0') << 3) | (s[i + 2] - '0'));
          i += 2;
        } else {
          out += c;
        }
    }
  }
  return false;
}

std::vector<AttrAssign> parse_assigns(std::string_view rest) {
  std::vector<AttrAssign> out;
  std::size_t i = 0;
  while (i < rest.size()) {
    while (i < rest.size() && is_space(rest[i])) ++i;
    std::size_t j = i;
    while (j < rest.size() && !is_space(rest[j])) ++j;
    std::string_view tok = rest.substr(i, j - i);
    i = j;
    if (tok.empty()) continue;
    AttrAssign a;
    if (tok[0] == '-' || tok[0] == '!') {
      a.value.state = tok[0] == '-' ? AttrValue::State::unset : AttrValue::State::unspecified;
      tok.remove_prefix(1);
    } else if (auto eq = tok.find('='); eq != std::string_view::npos) {
      a.value.state = AttrValue::State::value;
      a.value.value = std::string(tok.substr(eq + 1));
      tok = tok.substr(0, eq);
    } else {
      a.value.state = AttrValue::State::set;
    }
    if (!valid_name(tok)) continue;
    a.name = std::string(tok);
    out.push_back(std::move(a));
  }
  return out;
}

const std::vector<AttrAssign>& builtin_binary() {
  static const std::vector<AttrAssign> assigns = parse_assigns("-diff -merge -text");
  return assigns;
}

}  // namespace

std::vector<AttrRule> parse_gitattributes(std::string_view text, bool top_level, AttrMacros& macros) {
  std::vector<AttrRule> rules;
  Lines lines(text);
  for (std::string_view line; lines.next(line);) {
    if (line.size() > kMaxLine) continue;
    std::size_t i = 0;
    while (i < line.size() && is_space(line[i])) ++i;
    if (i == line.size() || line[i] == '#') continue;

    std::string pattern;
    std::size_t end = i;
    if (line[i] == '"') {
      if (!unquote(line.substr(i), end, pattern)) continue;
      end += i;
    } else {
      while (end < line.size() && !is_space(line[end])) ++end;
      pattern = std::string(line.substr(i, end - i));
    }
    auto assigns = parse_assigns(line.substr(end));

    if (pattern.rfind("[attr]", 0) == 0) {
      std::string name = pattern.substr(6);
      if (top_level && valid_name(name)) macros[name] = std::move(assigns);
      continue;
    }
    // Negative patterns are forbidden in attributes; a folder-only pattern
    // ("build/") never matches a file.
    if (pattern.empty() || pattern[0] == '!' || pattern.back() == '/') continue;
    AttrRule rule;
    rule.basename_only = pattern.find('/') == std::string::npos;
    if (pattern[0] == '/') pattern.erase(0, 1);
    rule.pattern = std::move(pattern);
    rule.assigns = std::move(assigns);
    rules.push_back(std::move(rule));
  }
  return rules;
}

Attributes::Attributes(const git_tree* tree) : tree_(tree) {}

const std::vector<AttrRule>& Attributes::rules_in(const std::string& dir) {
  if (auto it = files_.find(dir); it != files_.end()) return it->second;
  std::vector<AttrRule> rules;
  if (tree_) {
    const std::string file = dir.empty() ? ".gitattributes" : dir + "/.gitattributes";
    git_tree_entry* raw = nullptr;
    if (git_tree_entry_bypath(&raw, tree_, file.c_str()) == 0) {
      TreeEntryPtr entry(raw);
      const auto mode = git_tree_entry_filemode(entry.get());
      // Like git, a symlinked .gitattributes is not followed.
      if (mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE) {
        git_blob* blob_raw = nullptr;
        check(git_blob_lookup(&blob_raw, git_tree_owner(tree_), git_tree_entry_id(entry.get())),
              "read .gitattributes");
        BlobPtr blob(blob_raw);
        const auto size = static_cast<std::size_t>(git_blob_rawsize(blob.get()));
        std::string_view text(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                              std::min(size, kMaxFile));
        rules = parse_gitattributes(text, dir.empty(), macros_);
      }
    } else {
      git_error_clear();
    }
  }
  return files_.emplace(dir, std::move(rules)).first->second;
}

namespace {

void apply(const std::vector<AttrAssign>& assigns, std::string_view name, const AttrMacros& macros,
           int depth, AttrValue& out) {
  for (const auto& a : assigns) {
    if (a.name == name) out = a.value;
    if (a.value.state != AttrValue::State::set || depth >= kMaxMacroDepth) continue;
    if (auto it = macros.find(a.name); it != macros.end()) {
      apply(it->second, name, macros, depth + 1, out);
    } else if (a.name == "binary") {
      apply(builtin_binary(), name, macros, depth + 1, out);
    }
  }
}

}  // namespace

AttrValue Attributes::get(std::string_view path, std::string_view name) {
  AttrValue result;
  const std::size_t last_slash = path.rfind('/');
  const std::string_view base = last_slash == std::string_view::npos ? path : path.substr(last_slash + 1);
  std::string dir;  // walks "", "a", "a/b" for "a/b/c": shallow first, so deeper files win
  std::size_t pos = 0;
  while (true) {
    const auto& rules = rules_in(dir);
    const std::string_view rel = dir.empty() ? path : path.substr(dir.size() + 1);
    for (const auto& rule : rules) {
      if (wildmatch(rule.pattern, rule.basename_only ? base : rel)) apply(rule.assigns, name, macros_, 0, result);
    }
    const std::size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) break;
    dir.assign(path.substr(0, slash));
    pos = slash + 1;
  }
  return result;
}

std::optional<bool> Attributes::linguist(std::string_view path, std::string_view name) {
  const AttrValue v = get(path, name);
  switch (v.state) {
    case AttrValue::State::unspecified: return std::nullopt;
    case AttrValue::State::unset: return false;
    case AttrValue::State::set: return true;
    case AttrValue::State::value: return v.value != "false";
  }
  return std::nullopt;
}

}  // namespace reviewer::git
