#include "reviewer/commands/codeowners.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "reviewer/core/text.h"
#include "reviewer/git/repository.h"
#include "reviewer/git/wildmatch.h"

namespace reviewer::commands {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    std::size_t start = i;
    while (i < s.size() && !is_space(s[i])) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

bool name_chars(std::string_view s, std::string_view extra) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || extra.find(c) != std::string_view::npos;
  });
}

std::optional<Owner> parse_owner(std::string_view w) {
  if (w.size() > 1 && w[0] == '@') {
    w.remove_prefix(1);
    auto slash = w.find('/');
    if (slash == std::string_view::npos) {
      if (!name_chars(w, "-") || w.size() > 39) return std::nullopt;
      return Owner{Owner::Kind::user, "", std::string(w)};
    }
    std::string_view org = w.substr(0, slash), team = w.substr(slash + 1);
    if (!name_chars(org, "-") || !name_chars(team, "-_.")) return std::nullopt;
    return Owner{Owner::Kind::team, std::string(org), std::string(team)};
  }
  auto at = w.find('@');
  if (at != std::string_view::npos && at > 0 && at + 1 < w.size() && w.find('@', at + 1) == std::string_view::npos) {
    return Owner{Owner::Kind::email, "", std::string(w)};
  }
  return std::nullopt;
}

// Why GitHub would refuse the pattern, or empty.
std::string pattern_problem(std::string_view p) {
  if (p[0] == '!') return "negation (!) is not supported";
  if (p.find_first_of("[]") != std::string_view::npos) return "character ranges ([ ]) are not supported";
  if (p.find('\\') != std::string_view::npos) return "escapes (\\) are not supported";
  if (p.find("***") != std::string_view::npos) return "*** is not a valid pattern";
  return {};
}

bool ieq(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

bool codeowners_pattern_matches(std::string_view pattern, std::string_view path) {
  if (pattern.empty() || path.empty() || !pattern_problem(pattern).empty()) return false;
  std::string p(pattern);
  bool anchored = p[0] == '/';
  if (anchored) p.erase(0, 1);
  bool dir_only = !p.empty() && p.back() == '/';
  if (dir_only) p.pop_back();
  if (p.empty()) return false;  // "/" matches nothing
  // Without a slash inside, the pattern matches at any depth.
  if (!anchored && p.find('/') == std::string::npos) p = "**/" + p;
  if (dir_only) return git::wildmatch(p + "/**", path);
  // A last segment of exactly "*" matches one level only (GitHub's docs/*
  // example); any other pattern also matches everything below what it names.
  auto last_slash = p.rfind('/');
  std::string_view last = last_slash == std::string::npos ? std::string_view(p) : std::string_view(p).substr(last_slash + 1);
  if (git::wildmatch(p, path)) return true;
  if (last == "*") return false;
  return git::wildmatch(p + "/**", path);
}

Codeowners parse_codeowners(std::string_view text) {
  Codeowners co;
  Lines lines(text);
  for (std::string_view line; lines.next(line);) {
    const int line_no = lines.number();
    auto ws = words(line);
    if (ws.empty() || ws[0][0] == '#') continue;
    std::string problem = pattern_problem(ws[0]);
    if (!problem.empty()) {
      co.errors.push_back(fmt::format("line {}: pattern '{}': {}", line_no, ws[0].substr(0, 200), problem));
      continue;
    }
    CodeownersRule rule;
    rule.pattern = std::string(ws[0]);
    rule.line = line_no;
    for (std::size_t i = 1; i < ws.size(); ++i) {
      if (ws[i][0] == '#') break;  // inline comment
      if (auto o = parse_owner(ws[i])) {
        if (std::find(rule.owners.begin(), rule.owners.end(), *o) == rule.owners.end()) rule.owners.push_back(*o);
      } else {
        co.errors.push_back(fmt::format("line {}: '{}' is not a user, team or e-mail", line_no, ws[i].substr(0, 200)));
      }
    }
    co.rules.push_back(std::move(rule));
  }
  return co;
}

const CodeownersRule* Codeowners::match(std::string_view path) const {
  for (auto it = rules.rbegin(); it != rules.rend(); ++it) {
    if (codeowners_pattern_matches(it->pattern, path)) return &*it;
  }
  return nullptr;
}

std::optional<std::string> read_codeowners(const git::Repository& repo, std::string_view base_sha,
                                           std::string* where) {
  for (const char* location : kCodeownersLocations) {
    bool truncated = false;
    auto text = repo.read_file(base_sha, location, kMaxCodeownersBytes, &truncated);
    if (!text) continue;
    if (where) *where = location;
    // GitHub ignores a file of 3 MB or more (and does not look further).
    if (truncated || text->size() >= kMaxCodeownersBytes) return std::nullopt;
    return text;
  }
  return std::nullopt;
}

ReviewerSet reviewers_for(const Codeowners& co, const std::vector<std::string>& paths, std::string_view org) {
  ReviewerSet out;
  auto add = [](std::vector<std::string>& v, const std::string& s) {
    if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
  };
  for (const auto& path : paths) {
    const CodeownersRule* rule = co.match(path);
    if (!rule) continue;
    for (const auto& o : rule->owners) {
      switch (o.kind) {
        case Owner::Kind::user: add(out.users, o.name); break;
        case Owner::Kind::team:
          if (ieq(o.org, org)) add(out.teams, o.name);
          else add(out.skipped, fmt::format("@{}/{} (a team of another organization)", o.org, o.name));
          break;
        case Owner::Kind::email: add(out.skipped, fmt::format("{} (an e-mail address)", o.name)); break;
      }
    }
  }
  return out;
}

}  // namespace reviewer::commands
