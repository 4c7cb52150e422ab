// Which rule patterns may occur in a text, so that the individual regexes
// run only for those (normally none). One RE2::Set over every pattern would
// answer exactly, but its DFA has so many states on real code (long
// identifiers keep dozens of counted repetitions alive at once) that a
// fresh process spends most of a review building them: about 0.5 MB/s on a
// cold set against 200 MB/s once warm. So the question is asked of
// literals instead: each pattern's atoms (pattern_atoms.h: the strings
// RE2's FilteredRE2 names for it) and its clauses (its AND/OR formula over
// them, as sets of atoms of which a text it matches holds at least one);
// for the shipped patterns both were computed at build time, so building
// the sieve compiles none of them, and each pattern's RE2 is compiled the
// first time the sieve names it (LazyRE2). The atoms are found by a table
// of their first three bytes (AtomFinder), which builds nothing per text;
// a pattern is a candidate when each of its clauses has an atom in the
// text (and, for a long pattern of alternatives, each clause of one of its
// branches: pattern_atoms.h). Only the few patterns without atoms keep a set of their own. The
// one set of every pattern is still the faster sieve on repetitive text (a
// generated import), once its DFA has warmed up: 5-30 ns a byte against
// ~90 by atoms; but on varied real code
// it keeps building states (git.git's tree added as one 48 MB change:
// 150-2,700 ns a byte, 460 MB, the review's deadline passed) where atoms
// cost ~250. So each file scan chooses for itself (SieveChoice): atoms
// for its first kExactAfterBytes, then a trial of the exact set, kept for
// the rest of the scan only if it pays.
// Patterns of rules that apply only on some paths (CODEOWNERS, manifests,
// migrations; secret rules aside, which the redactor wants everywhere) are
// in neither sieve: several match nearly every line (`\S`), which costs
// the exact set's DFA states on every file for rules that judge a handful.
// They are always candidates, and the file scan runs them on their files.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <re2/re2.h>
#include <re2/set.h>

#include "subagents/safety/rules.h"

namespace reviewer::safety {

enum class Sieve { atoms, exact };

// Which of a set of literals (the atoms, each at least kMinAtomLength
// bytes) occur in a text: at each position the next three bytes pick a
// bucket of the literals that begin so, compared in place. An RE2::Set of
// the literals answers the same, but its DFA builds states on every text
// it has not seen the like of (titles, paths, commit messages, varied
// code): a fifth of a small review's CPU went to building them.
class AtomFinder {
 public:
  explicit AtomFinder(std::vector<std::string> atoms);
  // Indices of the atoms that occur in `text`, sorted.
  std::vector<int> find(std::string_view text) const;
  // The same, unsorted, appended to `found`; sets seen[i] for each, after
  // appending it (`seen` holds size() flags; one already set is not looked
  // for).
  void find(std::string_view text, std::vector<char>& seen, std::vector<int>& found) const;
  std::size_t size() const { return atoms_.size(); }
  const std::string& atom(int i) const { return atoms_.at(static_cast<std::size_t>(i)); }

 private:
  static constexpr unsigned kBits = 12;
  static std::uint32_t head(const char* p);  // the first three bytes
  static unsigned bucket(std::uint32_t head);
  struct Slot {
    std::uint32_t head, id;
  };
  std::vector<std::string> atoms_;
  std::vector<std::uint32_t> start_;  // bucket -> its first slot; 1 << kBits, plus one
  std::vector<Slot> slots_;           // atoms by bucket
};

// Which sieve a scan uses for its next block, learned from what its blocks
// cost (the sieve and the candidates' own regexes, in CPU time): atoms for
// the first kExactAfterBytes; then the exact set, whose first
// kExactWarmBytes build its first states (not counted) and whose next
// kTrialBytes are weighed against the atoms' cost per byte; it is kept
// for the rest of the scan within kExactHandicap times that cost, else the
// scan goes back to atoms (as soon as the trial has cost more than all of
// kTrialBytes may). Per scan, not per rule set: in `serve` one
// repetitive import must not decide for the next change of varied code.
// Thread-safe (a scan's two threads share one).
class SieveChoice {
 public:
  static constexpr std::size_t kExactAfterBytes = 8u << 20;
  static constexpr std::size_t kExactWarmBytes = 512u << 10, kTrialBytes = 512u << 10;
  // The set is still building states in its trial: on repetitive text it
  // cost 1.5-1.9 times the atoms there (quiet machine; ~3 times with a
  // 256 KB warm-up) and less than them once warm; on varied code it stays
  // 12-16 times dearer (4.5-8.4 under load).
  static constexpr long double kExactHandicap = 3.0L;

  // `scan_bytes`: at most how much the scan will sieve. A scan that cannot
  // pass kExactAfterBytes (most reviews) never tries the set, so its
  // blocks are not timed (measured() is false) and all go by atoms.
  explicit SieveChoice(std::uint64_t scan_bytes = UINT64_MAX) : measured_(scan_bytes > kExactAfterBytes) {}
  bool measured() const { return measured_; }
  // Whether a block's cost is still wanted: a measured scan until the
  // verdict. Reading a thread's CPU clock is a system call (no vDSO), twice
  // a 4 KB block: a tenth of the safety agent's samples on a 57.7 MB
  // import when every block was timed.
  bool timing() const { return measured_ && verdict_.load(std::memory_order_relaxed) == kUndecided; }

  // The sieve for a block of `bytes` (counted).
  Sieve next(std::size_t bytes);
  // What a block sieved by `used` cost.
  void cost(Sieve used, std::size_t bytes, std::chrono::nanoseconds spent);

 private:
  const bool measured_;
  std::atomic<std::uint64_t> sieved_{0};
  // Reported by cost(), per sieve, until the verdict.
  std::atomic<std::uint64_t> atoms_bytes_{0}, atoms_ns_{0}, exact_seen_{0}, exact_bytes_{0}, exact_ns_{0};
  enum Verdict : int { kUndecided, kExact, kAtoms };
  std::atomic<int> verdict_{kUndecided};
};

struct RuleSet::Prefilter {
  std::vector<std::pair<int, int>> entries;  // entry index -> (rule index, pattern index)
  std::vector<std::string> patterns;         // entry index -> the pattern
  // entry index -> which of the exact sieve's sets holds it (kExactSets).
  std::vector<unsigned char> exact_group;
  re2::RE2::Options options;

  // Every atom of the patterns that are not path-bound (pattern_atoms.h),
  // matched on lowercased text; atom_entries: atom index -> the entries
  // (sorted) it names: those with the atom in their key clause (the one
  // clause of fewest atoms, rules.cpp key_clause), not every entry that
  // has it. An entry is a candidate when each of its
  // clauses (pattern_atoms.h; as atom indices) has an atom in the text:
  // clauses[entry_clauses[e].first .. entry_clauses[e].second); its key
  // clause among them, so an atom of that clause names it.
  std::unique_ptr<AtomFinder> atoms;
  std::vector<std::vector<int>> atom_entries;
  std::vector<std::vector<int>> clauses;
  std::vector<std::pair<int, int>> entry_clauses;
  // An entry whose pattern splits into branches (pattern_atoms.h) is a
  // candidate only when, besides its own clauses, every clause of one of
  // its branches has an atom in the text: entry_branches[e] is its range of
  // `branches`, each a range of `clauses` (an empty range: no branches).
  std::vector<std::pair<int, int>> branches;
  std::vector<std::pair<int, int>> entry_branches;
  std::unique_ptr<re2::RE2::Set> unfiltered;  // patterns without atoms, counts widened (a superset)
  std::vector<int> unfiltered_entries;        // unfiltered's index -> entry index
  std::vector<std::string> unfiltered_patterns;  // unfiltered's index -> the pattern it holds
  // Entries whose pattern can name a character outside ASCII (a byte over
  // 0x7f, or an escape such as \x{...} or \p{...}) and that have an atom
  // holding one (RE2 lowercases those by its Unicode tables), or no atoms.
  // One whose atoms are all ASCII is sieved by them like any other: the
  // characters outside ASCII that RE2 folds to an ASCII letter are read as
  // that letter (fold_ascii).
  std::vector<int> wide_entries;
  // Entries of rules that apply only on some paths (not secret rules):
  // sorted, sieved by neither set.
  std::vector<int> path_bound;

  // Indices into entries that may match somewhere in text: every entry
  // that does match, and some that do not (the individual regexes decide).
  // The atoms are looked for in the text lowercased as RE2 folds case for
  // ASCII letters (ASCII, plus the Kelvin sign and the long s, the two
  // characters outside ASCII that fold to an ASCII letter, and U+0130, whose
  // lowercase is 'i'); in text with other characters outside ASCII, every
  // wide entry is a candidate too.
  // When a set's DFA runs out of memory every entry is returned: slower,
  // never wrong. Every path-bound entry is a candidate, unless
  // `with_path_bound` is false (the file scan adds those of its file).
  // By atoms, the sieve of small texts (titles, paths, a small change).
  std::vector<int> candidates(std::string_view text, bool with_path_bound = true) const;
  // By the sieve a scan chose (SieveChoice).
  std::vector<int> candidates(std::string_view text, bool with_path_bound, Sieve sieve) const;
  bool bound(int entry) const;  // in path_bound

  // The two sieves candidates() chooses between (for tests), both over the
  // entries that are not path-bound: by atoms, and by sets of every such
  // pattern (exactly the entries that match; built on first use, throws
  // reviewer::Error if RE2 cannot build them).
  //
  // The exact sieve is kExactSets sets, one per group of rules (secrets;
  // text aimed at a reviewer; code and files), not one: a DFA over all
  // patterns has a state for every combination of the groups' partial
  // matches, and those products cost more than each group's set reading the
  // text itself while the DFAs still build states. Measured on 4 KB blocks
  // after a 512 KB warm-up, one core, load ~10 (session 22): git.git's tree
  // (its first 6 MB) 4,374 ns a byte for one set of 671 patterns against
  // 162 + 379 + 205 for the three; the 57.7 MB generated import 14.6 against
  // 2.5 + 3.5 + 2.8 over its first 24 MB, but over all of it 0.477 against
  // 0.439 s (once warm, one set reads about as fast), and 13 MB less peak.
  static constexpr std::size_t kExactSets = 3;
  std::vector<int> filtered_candidates(std::string_view text) const;
  std::vector<int> exact_candidates(std::string_view text) const;

  // Builds the exact set now, on the caller's thread: a review that will
  // sieve more than SieveChoice::kExactAfterBytes (an import) then does not stop to
  // compile it mid-scan (about a tenth of a second). Never throws: a set
  // RE2 cannot build fails again, and is reported, where it is first used.
  void prepare_exact() const;

 private:
  void build_exact() const;
  mutable std::once_flag exact_once_;
  mutable std::unique_ptr<re2::RE2::Set> exact_[kExactSets];
  mutable std::vector<int> exact_entries_[kExactSets];  // exact_[g]'s index -> entry index
};

}  // namespace reviewer::safety
