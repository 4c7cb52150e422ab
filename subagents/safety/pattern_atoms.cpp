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

AnalysedPattern analyse_pattern(const std::string& pattern, bool lines) {
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
  if (out.atoms.empty()) {
    out.matches_empty = re2::RE2::PartialMatch("", out.re());
    return out;
  }
  // The formula is asked set by set (FilteredRE2 answers for this pattern
  // alone). A set of atoms is a clause when the formula fails with every
  // atom but those: a text the pattern matches holds one of them.
  const std::size_t n = out.atoms.size();
  std::vector<int> given, passed;
  auto clause = [&](const std::vector<char>& in) {
    given.clear();
    for (std::size_t i = 0; i < n; ++i) {
      if (!in[i]) given.push_back(static_cast<int>(i));
    }
    passed.clear();
    out.filter->AllPotentials(given, &passed);
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
    // The filter passes text without any atom: no sieve by atoms at all.
    out.atoms.clear();
    out.matches_empty = re2::RE2::PartialMatch("", out.re());
    return out;
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
    // A minimal clause through each of the first kMaxClauses atoms: from
    // all atoms (a clause), drop each other atom in turn while what is left
    // is still a clause.
    for (std::size_t i = 0; i < std::min(n, kMaxClauses); ++i) {
      std::vector<char> in(n, 1);
      for (std::size_t k = 1; k < n; ++k) {
        const std::size_t j = (i + k) % n;
        in[j] = 0;
        if (!clause(in)) in[j] = 1;
      }
      add(in);
    }
  }
  out.clauses.assign(found.begin(), found.end());
  return out;
}

}  // namespace reviewer::safety
