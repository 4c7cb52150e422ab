#include "subagents/safety/pattern_atoms.h"

#include <algorithm>
#include <set>

namespace reviewer::safety {

re2::RE2::Options pattern_options(bool lines) {
  re2::RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_never_nl(lines);
  opts.set_max_mem(16 << 20);
  return opts;
}

std::string with_before(std::string_view before, std::string_view pattern) {
  std::string out;
  out.reserve(before.size() + pattern.size() + 8);
  out.append("(?:").append(before).append(")(?:").append(pattern).append(")");
  return out;
}

namespace {

// The flag group "(?flags)" at `i` (flags of imsU-), its length; else 0.
std::size_t flag_group(std::string_view p, std::size_t i) {
  if (p.substr(i, 2) != "(?") return 0;
  std::size_t j = i + 2;
  while (j < p.size() && (p[j] == 'i' || p[j] == 'm' || p[j] == 's' || p[j] == 'U' || p[j] == '-')) ++j;
  return j < p.size() && p[j] == ')' && j > i + 2 ? j + 1 - i : 0;
}

struct Group {
  std::size_t content = 0, close = 0;  // p[content, close) inside the parentheses
  std::vector<std::size_t> bars;       // its own top-level '|'
  int depth = 0;
  bool repeated = false;               // it, or a group around it, has a quantifier
};

// One split of `p` (see pattern_branches), or none.
std::vector<std::string> split_once(std::string_view p) {
  std::size_t start = 0;
  while (const std::size_t n = flag_group(p, start)) start += n;
  std::vector<std::size_t> top_bars;
  std::vector<Group> groups, open;
  for (std::size_t i = start; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\') {
      if (i + 1 >= p.size() || p[i + 1] == 'Q') return {};
      const char e = p[i + 1];
      if ((e == 'x' || e == 'p' || e == 'P') && i + 2 < p.size() && p[i + 2] == '{') {
        const std::size_t close = p.find('}', i + 2);
        if (close == std::string_view::npos) return {};
        i = close;
      } else {
        i += 1;
      }
    } else if (c == '[') {
      std::size_t j = i + 1;
      if (j < p.size() && p[j] == '^') ++j;
      if (j < p.size() && p[j] == ']') ++j;
      while (j < p.size() && p[j] != ']') {
        if (p[j] == '\\') {
          if (j + 1 < p.size() && p[j + 1] == 'Q') return {};
          if (j + 2 < p.size() && (p[j + 1] == 'x' || p[j + 1] == 'p' || p[j + 1] == 'P') && p[j + 2] == '{') {
            j = p.find('}', j + 2);
            if (j == std::string_view::npos) return {};
            ++j;
          } else {
            j += 2;
          }
        } else if (p[j] == '[' && j + 1 < p.size() && p[j + 1] == ':') {
          const auto close = p.find(":]", j + 2);
          if (close == std::string_view::npos) return {};
          j = close + 2;
        } else {
          ++j;
        }
      }
      if (j >= p.size()) return {};
      i = j;
    } else if (c == '(') {
      if (flag_group(p, i)) return {};  // its reach crosses '|': not followed here
      Group g;
      g.depth = static_cast<int>(open.size()) + 1;
      std::size_t j = i + 1;
      if (j < p.size() && p[j] == '?') {
        // (?:, (?flags:, (?P<name>
        ++j;
        if (j < p.size() && p[j] == 'P') {
          j = p.find('>', j);
          if (j == std::string_view::npos) return {};
          ++j;
        } else {
          while (j < p.size() && p[j] != ':') {
            if (p[j] != 'i' && p[j] != 'm' && p[j] != 's' && p[j] != 'U' && p[j] != '-') return {};
            ++j;
          }
          if (j >= p.size()) return {};
          ++j;
        }
      }
      g.content = j;
      open.push_back(std::move(g));
      i = j - 1;
    } else if (c == ')') {
      if (open.empty()) return {};
      Group g = std::move(open.back());
      open.pop_back();
      g.close = i;
      const char q = i + 1 < p.size() ? p[i + 1] : '\0';
      g.repeated = q == '*' || q == '+' || q == '?' || q == '{';
      groups.push_back(std::move(g));
    } else if (c == '|') {
      (open.empty() ? top_bars : open.back().bars).push_back(i);
    } else if (c == '*' || c == '+' || c == '?' || c == '{') {
      // a quantifier after a group was seen at its ')'
    }
  }
  if (!open.empty()) return {};
  const std::string prefix(p.substr(0, start));
  std::vector<std::string> out;
  if (!top_bars.empty()) {
    std::size_t from = start;
    top_bars.push_back(p.size());
    for (const std::size_t bar : top_bars) {
      out.push_back(prefix + std::string(p.substr(from, bar - from)));
      from = bar + 1;
    }
    return out;
  }
  // A group is repeated when one around it is: groups close inner first,
  // so walk them outer first (by where they open).
  std::sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) { return a.content < b.content; });
  for (std::size_t k = 0; k < groups.size(); ++k) {
    for (std::size_t o = 0; o < k; ++o) {
      if (groups[o].content < groups[k].content && groups[k].close < groups[o].close && groups[o].repeated) {
        groups[k].repeated = true;
      }
    }
  }
  const Group* best = nullptr;
  for (const auto& g : groups) {
    if (g.bars.empty() || g.repeated) continue;
    if (!best || g.depth < best->depth) best = &g;
  }
  if (!best) return {};
  std::size_t from = best->content;
  std::vector<std::size_t> bars = best->bars;
  bars.push_back(best->close);
  const std::string before(p.substr(0, best->content)), after(p.substr(best->close));
  for (const std::size_t bar : bars) {
    out.push_back(before + std::string(p.substr(from, bar - from)) + after);
    from = bar + 1;
  }
  return out;
}

// The clauses of the formula `filter` holds for one pattern of n atoms
// (see AnalysedPattern), or none when text without any atom passes it.
// `budget` (when given) is the questions left to ask; once spent, the
// clauses found so far give way to the one clause of all atoms (checked
// first, so always sound, only looser).
bool find_clauses(const re2::FilteredRE2& filter, std::size_t n, std::vector<std::vector<int>>* out,
                  std::size_t* budget) {
  std::vector<int> given, passed;
  bool spent = false;
  auto clause = [&](const std::vector<char>& in) {
    if (budget) {
      if (*budget == 0) {
        spent = true;
        return false;
      }
      --*budget;
    }
    given.clear();
    for (std::size_t i = 0; i < n; ++i) {
      if (!in[i]) given.push_back(static_cast<int>(i));
    }
    passed.clear();
    filter.AllPotentials(given, &passed);
    return passed.empty();
  };
  std::set<std::vector<int>> found;
  auto add = [&](const std::vector<char>& in) {
    std::vector<int> c;
    for (std::size_t i = 0; i < n; ++i) {
      if (in[i]) c.push_back(static_cast<int>(i));
    }
    found.insert(std::move(c));
  };
  if (!clause(std::vector<char>(n, 1))) {
    if (!spent) return false;
    // No question left even for the first: no sieve by atoms (also sound).
    out->clear();
    return false;
  }
  if (n <= kMaxExactAtoms) {
    // Every minimal clause (sets by size; a superset of a clause is not
    // minimal): the formula exactly.
    std::vector<unsigned> masks;
    for (unsigned m = 1; m < (1u << n); ++m) masks.push_back(m);
    std::stable_sort(masks.begin(), masks.end(),
                     [](unsigned a, unsigned b) { return __builtin_popcount(a) < __builtin_popcount(b); });
    std::vector<unsigned> minimal;
    std::vector<char> in(n);
    for (const unsigned m : masks) {
      if (minimal.size() == kMaxClauses) break;
      if (std::any_of(minimal.begin(), minimal.end(), [&](unsigned c) { return (m & c) == c; })) continue;
      for (std::size_t i = 0; i < n; ++i) in[i] = (m >> i) & 1u;
      if (!clause(in)) continue;
      minimal.push_back(m);
      add(in);
    }
  } else if (n > kMaxMinimisedAtoms) {
    // Minimising costs kMaxClauses * n questions of n atoms each: a
    // repository's rule of thousands of atoms took minutes (read23b). The
    // clause of every atom (checked above) is sound, only looser.
    add(std::vector<char>(n, 1));
  } else {
    // A minimal clause from each atom that no clause found so far holds (at
    // most kMaxClauses): from all atoms (a clause), drop each other atom in
    // turn while what is left is still a clause, then that atom too if it
    // can go (an AND of ORs: the OR of the atom's group, or of another).
    std::vector<char> covered(n, 0);
    for (std::size_t i = 0; i < n && found.size() < kMaxClauses; ++i) {
      if (covered[i]) continue;
      std::vector<char> in(n, 1);
      for (std::size_t k = 1; k <= n; ++k) {
        const std::size_t j = (i + k) % n;
        in[j] = 0;
        if (!clause(in)) in[j] = 1;
      }
      covered[i] = 1;
      for (std::size_t j = 0; j < n; ++j) covered[j] |= in[j];
      add(in);
    }
  }
  if (spent) {
    out->assign(1, {});
    for (std::size_t i = 0; i < n; ++i) out->front().push_back(static_cast<int>(i));
    return true;
  }
  out->assign(found.begin(), found.end());
  return true;
}

}  // namespace

std::vector<std::string> pattern_branches(std::string_view pattern) {
  std::vector<std::string> pieces{std::string(pattern)};
  bool split = false;
  // Outermost first: each round splits every piece once, while the pieces
  // stay within kMaxBranches.
  for (bool more = true; more;) {
    more = false;
    std::vector<std::string> next;
    for (std::size_t k = 0; k < pieces.size(); ++k) {
      auto parts = split_once(pieces[k]);
      if (parts.size() < 2 || next.size() + parts.size() + (pieces.size() - k - 1) > kMaxBranches) {
        next.push_back(std::move(pieces[k]));
        continue;
      }
      more = split = true;
      for (auto& s : parts) next.push_back(std::move(s));
    }
    pieces = std::move(next);
  }
  if (!split) pieces.clear();
  return pieces;
}

AnalysedPattern analyse_pattern(const std::string& pattern, bool lines, std::size_t* budget) {
  AnalysedPattern out;
  const std::string written = "(?m)" + pattern;
  auto filter = std::make_unique<re2::FilteredRE2>(kMinAtomLength);
  int id = -1;
  if (filter->Add(written, pattern_options(lines), &id) != re2::RE2::NoError || id != 0) {
    // RE2's own message, as it reads the pattern alone.
    const re2::RE2 re(written, pattern_options(lines));
    out.error = re.ok() ? std::string("rejected by RE2's filter") : re.error();
    return out;
  }
  filter->Compile(&out.atoms);
  out.filter = std::move(filter);
  // The formula is asked set by set (FilteredRE2 answers for this pattern
  // alone). A set of atoms is a clause when the formula fails with every
  // atom but those: a text the pattern matches holds one of them.
  if (out.atoms.empty() || !find_clauses(*out.filter, out.atoms.size(), &out.clauses, budget)) {
    // No atoms, or the filter passes text without any atom: no sieve by
    // atoms at all.
    out.atoms.clear();
    out.clauses.clear();
    out.matches_empty = re2::RE2::PartialMatch("", out.re());
    return out;
  }
  // Up to kMaxExactAtoms atoms the clauses are the formula; past that they
  // are a part of it, and a pattern of alternatives (its formula an OR of
  // ANDs) keeps only clauses of one atom per alternative: each branch's own
  // formula, over the pattern's atoms and its own, is as tight as RE2 can
  // tell for that alternative.
  if (out.atoms.size() <= kMaxExactAtoms) return out;
  const std::vector<std::string> pieces = pattern_branches(written);
  std::vector<std::string> all = out.atoms;
  std::vector<std::vector<std::vector<int>>> branches;
  for (const auto& piece : pieces) {
    re2::FilteredRE2 f(kMinAtomLength);
    std::vector<std::string> atoms;
    std::vector<std::vector<int>> clauses;
    if (f.Add(piece, pattern_options(lines), &id) != re2::RE2::NoError) return out;
    f.Compile(&atoms);
    if (atoms.empty() || !find_clauses(f, atoms.size(), &clauses, budget)) return out;  // a branch any text may pass
    if (budget && *budget == 0) return out;  // its clauses may be the loose fallback: no branches
    std::vector<int> ids;
    for (const auto& a : atoms) {
      auto at = std::find(all.begin(), all.end(), a);
      if (at == all.end()) at = all.insert(all.end(), a);
      ids.push_back(static_cast<int>(at - all.begin()));
    }
    for (auto& c : clauses) {
      for (int& i : c) i = ids[static_cast<std::size_t>(i)];
      std::sort(c.begin(), c.end());
    }
    branches.push_back(std::move(clauses));
  }
  out.atoms = std::move(all);
  out.branches = std::move(branches);
  return out;
}

}  // namespace reviewer::safety
