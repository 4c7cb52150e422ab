// What the sieve needs of one rule pattern, and the table of those facts
// for the shipped guidance, computed when `reviewer` is built.
//
// A pattern's atoms are the literals RE2's FilteredRE2 names for it (at
// least kMinAtomLength long, lowercase): its prefilter is a monotone AND/OR
// formula over them, so a text the pattern matches holds at least one of
// them. A pattern with no atoms is "unfiltered" (any text may match it).
// Finding them means compiling the pattern (FilteredRE2 builds an RE2 for
// each): for the ~1,000 shipped patterns that was most of a review's start.
// So gen/pattern_atoms_gen.cpp computes them at build time for every
// pattern string of the embedded guidance's safety section, checks each
// as compile_rules would (RE2 accepts it; one without atoms does not match
// empty text) and fails the build otherwise; compile_rules looks a
// pattern up by its exact text and options (lines or PR text), and
// computes what is not in the table (a repository's own rules) at run time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <re2/filtered_re2.h>
#include <re2/re2.h>

namespace reviewer::safety {

// Atoms shorter than this are dropped (the pattern then relies on its other
// atoms, or becomes unfiltered): a two-letter atom would pass most lines.
inline constexpr int kMinAtomLength = 3;

// Line patterns are multi-line ((?m): ^ and $ at line ends) and never match
// '\n', so a hit never spans two added lines of the joined file text.
re2::RE2::Options pattern_options(bool lines);

// A pattern of at most kMaxExactAtoms atoms has its formula read exactly
// (2^n questions to its FilteredRE2); one with more, a minimal clause from
// each atom that no clause found before holds (n questions each; an AND of
// k ORs takes k clauses, its ORs). At most kMaxClauses clauses either
// way: fewer clauses are a looser sieve, never an unsound one.
// A pattern of more than kMaxMinimisedAtoms gets the one clause of all its
// atoms (its question count would grow with the square of its atoms). It
// was 64, and the shipped prompt-injection patterns of 65-452 atoms passed
// on any text with one of them ("the", "off", "che"): most of the patterns
// a commit message named.
inline constexpr std::size_t kMaxExactAtoms = 10, kMaxClauses = 32, kMaxMinimisedAtoms = 512;

// A pattern compiled (as "(?m)" + pattern, pattern_options(lines)) with its
// atoms. `error` is RE2's message when it rejects the pattern (then there
// is no filter); `matches_empty` is asked only of a pattern without atoms.
// `clauses`: the pattern's prefilter formula (FilteredRE2's AND/OR formula
// for this pattern alone) as a conjunction of clauses, each a set of atoms
// (indices into `atoms`) of which a text the pattern matches holds at least
// one. Every clause is checked against the formula, so any of them is a
// sound sieve; all of its minimal ones are the formula itself.
struct AnalysedPattern {
  std::unique_ptr<re2::FilteredRE2> filter;  // holds the one compiled RE2
  std::vector<std::string> atoms;
  std::vector<std::vector<int>> clauses;
  // For a pattern of more than kMaxExactAtoms atoms, its alternatives
  // (pattern_branches), each as its own clauses (indices into `atoms`, which
  // holds their atoms too): a text the pattern matches satisfies every
  // clause of at least one branch. Empty when the pattern has fewer atoms
  // or does not split, or a branch has no atoms (then `clauses` alone).
  std::vector<std::vector<std::vector<int>>> branches;
  std::string error;
  bool matches_empty = false;
  const re2::RE2& re() const { return filter->GetRE2(0); }
};
// `budget`, when given, caps the questions asked of the filter (and is
// decremented): past it, looser clauses and no branches (sound all the
// same). The build-time table asks without a cap; a repository's or an
// operator's own patterns share kRunTimeQuestions per rule set, so no file
// of rules can make a review spend minutes here (read24b: 3 rules of 4 KB
// took 6 s of CPU, 48 branches x 32 clauses x 512 atoms).
AnalysedPattern analyse_pattern(const std::string& pattern, bool lines, std::size_t* budget = nullptr);
inline constexpr std::size_t kRunTimeQuestions = 20000;

// At most this many branches per pattern (pattern_branches).
inline constexpr std::size_t kMaxBranches = 48;

// Patterns whose matches, together, are exactly the matches of `pattern`
// (each text the pattern matches, one of them matches), or none when it
// does not split: its top-level alternatives, or one alternation group
// written out once per alternative (`X(?:A|B)Y` -> `X(?:A)Y`, `X(?:B)Y`),
// where that group and every group around it is matched exactly once (not
// repeated: no quantifier after it). Read by a small parser of RE2's
// syntax that gives up (no split) on what it does not follow: \Q...\E, a
// flag group such as (?i) anywhere but at the very start (its reach
// crosses `|`), an unbalanced parenthesis or bracket. Groups are split
// outermost first, at most kMaxBranches pieces in all. A run of
// flag groups at the start ("(?m)(?i)") is kept in front of every piece.
std::vector<std::string> pattern_branches(std::string_view pattern);

// A rule's pattern with its `before` in front: each in a group of its own,
// so a flag `before` sets ends with it and a `|` at the pattern's top level
// still needs `before` on every branch. compile_rules and the build-time
// table both build the string here, so they look up the same text.
std::string with_before(std::string_view before, std::string_view pattern);

// One shipped pattern: its atoms under line options and under PR-text
// options, as [first, first + count) of shipped::kAtoms, and its clauses as
// [first, first + count) of shipped::kClauses: each clause a count n, then
// n indices into the pattern's atoms.
// Its branches as [first, first + count) of shipped::kClauses: per branch
// a count m of clauses, then m clauses as above.
struct ShippedPattern {
  std::string_view pattern;
  unsigned atoms_first[2], atoms_count[2], clauses_first[2], clauses_count[2];  // [0]: lines, [1]: PR text
  unsigned branches_first[2], branches_count[2];
};

// A shipped pattern's atoms and clauses (as AnalysedPattern's).
struct ShippedAtoms {
  std::vector<std::string> atoms;
  std::vector<std::vector<int>> clauses;
  std::vector<std::vector<std::vector<int>>> branches;
};

// The table gen/pattern_atoms_gen.cpp writes: kPatterns sorted by pattern
// (byte order), each naming its two ranges of kAtoms.
namespace shipped {
extern const ShippedPattern kPatterns[];
extern const std::size_t kPatternCount;
extern const std::string_view kAtoms[];
extern const unsigned short kClauses[];
}  // namespace shipped

// The atoms and clauses of a shipped pattern (no atoms: unfiltered), checked
// at build time; nullopt for a pattern that is not in the table.
std::optional<ShippedAtoms> shipped_atoms(std::string_view pattern, bool lines);
// Only whether it is in the table (checked at build time).
bool is_shipped(std::string_view pattern);

}  // namespace reviewer::safety
