#include "subagents/safety/rules.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <map>
#include <optional>
#include <mutex>
#include <set>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/core/two_threads.h"
#include "subagents/safety/pattern_atoms.h"
#include "subagents/safety/prefilter.h"

namespace reviewer::safety {

namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& where, const std::string& msg) {
  throw Error(Error::Code::invalid_input, fmt::format("guidance safety: {}: {}", where, msg));
}

const std::set<std::string, std::less<>> kSectionKeys = {
    "rules", "languages", "test_paths", "test_severity", "placeholders", "max_findings_per_rule_per_file"};
const std::set<std::string, std::less<>> kRuleKeys = {
    "id", "kind", "pattern", "patterns", "severity", "message", "why", "fix", "state", "languages",
    "paths", "exclude_paths", "unless", "unless_reads", "requires", "unless_file", "when", "scope", "entropy", "min_length",
    "checksum", "generic", "placeholders", "once", "decoded", "description", "docs", "in_tests", "before", "then", "then_added",
    "unless_next", "unless_above", "parent"};

void check_keys(const json& obj, const std::set<std::string, std::less<>>& known, const std::string& where) {
  for (const auto& [k, v] : obj.items()) {
    if (!known.count(k)) {
      fail(where, fmt::format("unknown key '{}' (known: {})", k, fmt::join(known, ", ")));
    }
  }
}

std::string required_string(const json& rule, const char* key, const std::string& where) {
  auto it = rule.find(key);
  if (it == rule.end() || it->is_null()) fail(where, fmt::format("missing '{}'", key));
  if (!it->is_string() || it->get<std::string>().empty()) {
    fail(where, fmt::format("'{}' must be a non-empty string", key));
  }
  return it->get<std::string>();
}

std::string optional_string(const json& rule, const char* key, const std::string& where) {
  auto it = rule.find(key);
  if (it == rule.end() || it->is_null()) return {};
  if (!it->is_string() || it->get<std::string>().empty()) {
    fail(where, fmt::format("'{}' must be a non-empty string", key));
  }
  return it->get<std::string>();
}

std::vector<std::string> string_list(const json& obj, const char* key, const std::string& where) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return out;
  if (it->is_string()) return {it->get<std::string>()};
  if (!it->is_array()) fail(where, fmt::format("'{}' must be a string or a list of strings", key));
  for (const auto& s : *it) {
    if (!s.is_string() || s.get<std::string>().empty()) {
      fail(where, fmt::format("'{}' entries must be non-empty strings", key));
    }
    out.push_back(s.get<std::string>());
  }
  return out;
}

bool optional_bool(const json& obj, const char* key, bool dflt, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return dflt;
  if (!it->is_boolean()) fail(where, fmt::format("'{}' must be true or false", key));
  return it->get<bool>();
}

PathMatcher globs(const std::vector<std::string>& g, const std::string& where, const char* key) {
  try {
    return PathMatcher(g);
  } catch (const Error& e) {
    fail(where, fmt::format("'{}': {}", key, e.what()));
  }
}

// Throws the guidance error for a pattern RE2 rejected with `error`.
[[noreturn]] void fail_invalid(std::string error, const std::string& pattern, const std::string& where,
                               const char* key) {
  // RE2 quotes the pattern it compiled; show the one the team wrote.
  if (auto at = error.find("(?m)" + pattern); at != std::string::npos) error.erase(at, 4);
  fail(where, fmt::format("invalid {} '{}': {}", key, pattern, error));
}

// Throws the guidance error for a pattern that matches empty text.
[[noreturn]] void fail_empty(const std::string& pattern, const std::string& where, const char* key) {
  fail(where, fmt::format("{} '{}' matches empty text: it would flag every line", key, pattern));
}

// A pattern checked now (RE2 accepts it; it does not match empty text) and
// compiled on first use. A shipped pattern was checked at build time
// (pattern_atoms.h): its text is the key, so a repository's rule with the
// same text is the same, checked, pattern; any other is compiled and
// checked here.
std::shared_ptr<const LazyRE2> checked(const std::string& pattern, bool lines, const std::string& where,
                                       const char* key) {
  if (is_shipped(pattern)) return std::make_shared<const LazyRE2>(pattern, lines);
  auto re = std::make_unique<re2::RE2>("(?m)" + pattern, pattern_options(lines));
  if (!re->ok()) fail_invalid(re->error(), pattern, where, key);
  if (re2::RE2::PartialMatch("", *re)) fail_empty(pattern, where, key);
  return std::make_shared<const LazyRE2>(pattern, lines, std::move(re));
}

Severity severity_of(const json& v, const std::string& where, const char* key) {
  if (!v.is_string()) fail(where, fmt::format("'{}' must be info, warning, error or critical", key));
  auto s = parse_severity(v.get<std::string>());
  if (!s) {
    fail(where, fmt::format("'{}' must be info, warning, error or critical, got '{}'", key,
                            v.get<std::string>()));
  }
  return *s;
}

const std::map<std::string, RuleKind, std::less<>> kKinds = {
    {"secret", RuleKind::secret}, {"code", RuleKind::code}, {"file", RuleKind::file}, {"hidden", RuleKind::hidden}};
const std::map<std::string, Trigger, std::less<>> kTriggers = {
    {"line", Trigger::line},           {"added", Trigger::added},
    {"deleted", Trigger::deleted},     {"executable", Trigger::executable},
    {"symlink", Trigger::symlink},     {"symlink-outside", Trigger::symlink_outside},
    {"binary", Trigger::binary},       {"submodule", Trigger::submodule},
    {"host-moved", Trigger::host_moved}};

enum class State { on, off, shadow };

// A rule is on unless `state: off` or `state: shadow` (YAML reads on/off as
// booleans).
State rule_state(const json& rule, const std::string& where) {
  auto it = rule.find("state");
  if (it == rule.end() || it->is_null()) return State::on;
  if (it->is_boolean()) return it->get<bool>() ? State::on : State::off;
  if (it->is_string() && (*it == "on" || *it == "off" || *it == "shadow")) {
    return *it == "on" ? State::on : *it == "off" ? State::off : State::shadow;
  }
  fail(where, "'state' must be on, off or shadow");
}

// A rule as parsed, with its patterns not yet checked: build_prefilter
// checks each and finds its atoms (compiling it only when it is not
// shipped) and gives the rule its LazyRE2.
struct Parsed {
  Rule rule;
  std::vector<std::string> patterns;
};

Parsed parse_rule(const std::string& id, const json& r, const RuleSet& set) {
  const std::string where = fmt::format("rule '{}'", id);
  if (!r.is_object()) fail(where, "must be a mapping");
  check_keys(r, kRuleKeys, where);
  Rule rule;
  rule.id = id;
  if (auto declared = optional_string(r, "id", where); !declared.empty() && declared != id) {
    fail(where, fmt::format("'id' is '{}' but the rule is listed as '{}'", declared, id));
  }
  auto kind = required_string(r, "kind", where);
  auto k = kKinds.find(kind);
  if (k == kKinds.end()) fail(where, fmt::format("'kind' must be secret, code, file or hidden, got '{}'", kind));
  rule.kind = k->second;
  rule.name = fmt::format("safety/{}/{}", kind, id);
  if (!r.contains("severity")) fail(where, "missing 'severity'");
  rule.severity = severity_of(r["severity"], where, "severity");
  rule.message = required_string(r, "message", where);
  rule.why = required_string(r, "why", where);
  rule.fix = required_string(r, "fix", where);
  optional_string(r, "description", where);  // for people reading the rules
  if (auto docs = optional_string(r, "docs", where); !docs.empty()) rule.fix += " See " + docs;
  rule.shadow = rule_state(r, where) == State::shadow;

  auto when = optional_string(r, "when", where);
  if (!when.empty()) {
    auto t = kTriggers.find(when);
    if (t == kTriggers.end()) {
      fail(where, fmt::format("'when' must be one of line, added, deleted, executable, symlink, "
                              "symlink-outside, binary, submodule, host-moved; got '{}'", when));
    }
    rule.trigger = t->second;
  }
  // Secrets are reported wherever they are; other rules read added lines
  // unless they say otherwise.
  auto scope = optional_string(r, "scope", where);
  if (scope.empty()) scope = rule.kind == RuleKind::secret ? "all" : "lines";
  rule.on_lines = scope == "lines" || scope == "both" || scope == "all";
  rule.on_pr_text = scope == "pr" || scope == "both" || scope == "all";
  rule.on_names = scope == "names" || scope == "all";
  if (!rule.on_lines && !rule.on_pr_text && !rule.on_names) {
    fail(where, fmt::format("'scope' must be lines, pr, both, names or all, got '{}'", scope));
  }

  std::vector<std::string> patterns = string_list(r, "patterns", where);
  if (auto p = optional_string(r, "pattern", where); !p.empty()) patterns.insert(patterns.begin(), p);
  if (rule.trigger == Trigger::line && patterns.empty()) fail(where, "missing 'pattern' (or 'patterns')");
  if (rule.trigger != Trigger::line && !patterns.empty()) {
    fail(where, fmt::format("'pattern' does not apply to 'when: {}'", when));
  }
  // `before`: what must come first on the line, put in front of every
  // pattern (with_before), so two rules can share one list of patterns (a
  // YAML alias) and differ in what precedes a hit.
  if (auto b = optional_string(r, "before", where); !b.empty()) {
    for (auto& p : patterns) p = with_before(b, p);
  }
  if (auto u = optional_string(r, "unless", where); !u.empty()) rule.unless = checked(u, true, where, "unless");
  // What `unless` reads: the hit's line (the default), or only the match,
  // where the exemption is about the value (an escaped or encrypted one)
  // and another field on the line (one-line JSON) must not lend it.
  if (auto u = optional_string(r, "unless_reads", where); !u.empty()) {
    if (u != "line" && u != "match") fail(where, fmt::format("'unless_reads' must be line or match, got '{}'", u));
    rule.unless_on_match = u == "match";
  }
  if (auto q = optional_string(r, "requires", where); !q.empty()) {
    rule.requires_ = checked(q, true, where, "requires");
  }
  if (auto q = optional_string(r, "unless_file", where); !q.empty()) {
    rule.unless_file = checked(q, true, where, "unless_file");
  }
  if (auto q = optional_string(r, "then", where); !q.empty()) rule.then = checked(q, true, where, "then");
  rule.then_added = optional_bool(r, "then_added", false, where);
  if (rule.then_added && !rule.then) fail(where, "'then_added' needs 'then'");
  if (auto q = optional_string(r, "unless_next", where); !q.empty()) rule.unless_next = checked(q, true, where, "unless_next");
  if (auto q = optional_string(r, "unless_above", where); !q.empty()) rule.unless_above = checked(q, true, where, "unless_above");
  if (auto q = optional_string(r, "parent", where); !q.empty()) rule.parent = checked(q, true, where, "parent");

  for (const auto& lang : string_list(r, "languages", where)) {
    auto it = std::find(set.language_names.begin(), set.language_names.end(), lang);
    if (it == set.language_names.end()) {
      fail(where, fmt::format("unknown language '{}' (known: {})", lang, fmt::join(set.language_names, ", ")));
    }
    rule.languages |= std::uint64_t{1} << (it - set.language_names.begin());
  }
  rule.paths = globs(string_list(r, "paths", where), where, "paths");
  rule.exclude_paths = globs(string_list(r, "exclude_paths", where), where, "exclude_paths");

  if (r.contains("entropy")) {
    if (!r["entropy"].is_number() || r["entropy"].get<double>() < 0 || r["entropy"].get<double>() > 8) {
      fail(where, "'entropy' must be a number of bits per character between 0 and 8");
    }
    rule.min_entropy = r["entropy"].get<double>();
  }
  if (r.contains("min_length")) {
    if (!r["min_length"].is_number_integer() || r["min_length"].get<long long>() < 0) {
      fail(where, "'min_length' must be a non-negative integer");
    }
    rule.min_length = r["min_length"].get<std::size_t>();
  }
  if (auto c = optional_string(r, "checksum", where); !c.empty()) {
    if (c != "github-crc32") fail(where, fmt::format("unknown 'checksum' '{}' (known: github-crc32)", c));
    rule.github_checksum = true;
  }
  if (auto t = optional_string(r, "in_tests", where); !t.empty()) {
    if (t != "issued-jwt") fail(where, fmt::format("unknown 'in_tests' '{}' (known: issued-jwt)", t));
    rule.issued_jwt_in_tests = true;
  }
  rule.generic = optional_bool(r, "generic", false, where);
  rule.placeholders = optional_bool(r, "placeholders", rule.kind == RuleKind::secret, where);
  rule.once = optional_bool(r, "once", false, where);
  rule.decoded = optional_bool(r, "decoded", false, where);
  return {std::move(rule), std::move(patterns)};
}

// Can the pattern name a character outside ASCII? Conservative: any such
// byte, and any escape that could (\x, \p, \P, \C, octal).
bool wide_pattern(std::string_view p) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (static_cast<unsigned char>(p[i]) >= 0x80) return true;
    if (p[i] == '\\' && i + 1 < p.size()) {
      const char c = p[++i];
      if (c == 'x' || c == 'p' || c == 'P' || c == 'C' || (c >= '0' && c <= '9')) return true;
    }
  }
  return false;
}

std::unique_ptr<re2::RE2::Set> compiled_set(const RE2::Options& opts, const std::vector<std::string>& patterns,
                                            const std::string& where) {
  auto set = std::make_unique<re2::RE2::Set>(opts, re2::RE2::UNANCHORED);
  for (const auto& p : patterns) {
    std::string err;
    if (set->Add(p, &err) < 0) fail(where, fmt::format("pattern rejected by RE2::Set: {}", err));
  }
  // Compiled even when empty: Match() on an uncompiled set reports an error
  // (and would disable the prefilter), while an empty set simply matches nothing.
  if (!set->Compile()) fail(where, "the rule set is too large to compile (RE2 out of memory)");
  return set;
}

// A pattern that matches wherever `p` matches, and perhaps elsewhere: each
// counted repetition X{n}, X{n,} or X{n,m} becomes X{k,}, k the smaller of n
// and kWidenedCount (X+ for 1, X* for 0). The
// set of the patterns without atoms is only a sieve (a pattern it lets
// through is then run as written), and a count compiles to that many copies
// of X: vendor-token's {100,} and {146} made 12,000 instructions, the most of
// that set's program and of the DFA states it builds on every path and
// title. Unchanged when it uses \Q...\E or does not parse as expected.
// Small enough for a short program, large enough that a path such as
// patch.c does not pass vendor-token's pat[A-Za-z0-9]{14}\.[a-f0-9]{64}
// (and have its 12,000 instructions run).
constexpr std::size_t kWidenedCount = 4;

std::string widened(std::string_view p) {
  std::string out;
  out.reserve(p.size());
  const auto digits = [&](std::size_t j) {
    while (j < p.size() && p[j] >= '0' && p[j] <= '9') ++j;
    return j;
  };
  for (std::size_t i = 0; i < p.size(); ++i) {
    std::size_t end = i;  // the last byte of this token, copied as it is
    if (p[i] == '\\') {
      if (i + 1 >= p.size() || p[i + 1] == 'Q') return std::string(p);
      end = i + 1;
      const char c = p[i + 1];
      if ((c == 'x' || c == 'p' || c == 'P') && i + 2 < p.size() && p[i + 2] == '{') {
        end = p.find('}', i + 2);  // \x{...}, \p{...}: not a count
        if (end == std::string_view::npos) return std::string(p);
      }
    } else if (p[i] == '[') {
      std::size_t j = i + 1;
      if (j < p.size() && p[j] == '^') ++j;
      if (j < p.size() && p[j] == ']') ++j;
      while (j < p.size() && p[j] != ']') {
        if (p[j] == '\\') {
          j += 2;
        } else if (p[j] == '[' && j + 1 < p.size() && p[j + 1] == ':') {
          const auto close = p.find(":]", j + 2);
          if (close == std::string_view::npos) return std::string(p);
          j = close + 2;
        } else {
          ++j;
        }
      }
      if (j >= p.size()) return std::string(p);
      end = j;
    } else if (p[i] == '{') {
      const std::size_t n_end = digits(i + 1);
      std::size_t k = n_end;
      if (n_end > i + 1 && k < p.size() && p[k] == ',') k = digits(k + 1);
      if (n_end > i + 1 && k < p.size() && p[k] == '}') {
        std::size_t n = 0;  // at least n, and at most kWidenedCount
        for (std::size_t d = i + 1; d < n_end && n < kWidenedCount; ++d) n = n * 10 + static_cast<std::size_t>(p[d] - '0');
        out += n == 0 ? std::string("*") : n == 1 ? std::string("+") : fmt::format("{{{},}}", std::min(n, kWidenedCount));
        i = k;
        continue;
      }
    }
    out.append(p.substr(i, end - i + 1));
    i = end;
  }
  return out;
}

// Which of a pattern's atoms name it in the sieve (atom_entries): those of
// its key clause, the one of fewest atoms (then of the longest shortest
// atom: a long literal is a rarer one), or all of them if it has no clause.
// Short atoms ("the", "bra", "git": RE2 cuts long alternations down to
// their last bytes) occur in most texts; naming an entry by them only to
// find another of its clauses fail was the sieve's work per entry.
std::vector<char> key_clause(const std::vector<std::string>& atoms, const std::vector<std::vector<int>>& clauses) {
  std::vector<char> naming(atoms.size(), clauses.empty() ? 1 : 0);
  const std::vector<int>* best = nullptr;
  std::size_t best_shortest = 0;
  for (const auto& c : clauses) {
    if (c.empty()) continue;  // never written: a clause holds an atom
    std::size_t shortest = SIZE_MAX;
    for (int a : c) shortest = std::min(shortest, atoms.at(static_cast<std::size_t>(a)).size());
    if (!best || c.size() < best->size() || (c.size() == best->size() && shortest > best_shortest)) {
      best = &c;
      best_shortest = shortest;
    }
  }
  if (!best) {
    std::fill(naming.begin(), naming.end(), 1);
    return naming;
  }
  for (int a : *best) naming[static_cast<std::size_t>(a)] = 1;
  return naming;
}

// Checks the rules' patterns for `lines` (line and name scopes) or for PR
// text, in rule order (an entry's index is its place in that order), finds
// their atoms, builds the sieves over them, and gives each rule its
// patterns (compiled on first use).
std::shared_ptr<const RuleSet::Prefilter> build_prefilter(std::vector<Parsed>& rules, bool lines) {
  auto pf = std::make_shared<RuleSet::Prefilter>();
  pf->options.set_log_errors(false);
  pf->options.set_never_nl(lines);
  pf->options.set_max_mem(256 << 20);  // the DFA cache; states are only built as text needs them
  std::map<std::string, int, std::less<>> atom_ids;
  std::vector<std::string> atoms;  // atom index -> the atom
  std::vector<int> without_atoms;
  std::vector<char> ascii_atoms;  // entry index -> it has atoms, all of them ASCII
  std::size_t questions = kRunTimeQuestions;  // for the patterns not in the build-time table
  for (std::size_t i = 0; i < rules.size(); ++i) {
    Rule& rule = rules[i].rule;
    if (lines ? !(rule.on_lines || rule.on_names) : !rule.on_pr_text) continue;
    auto& compiled = lines ? rule.line_patterns : rule.text_patterns;
    const std::string where = fmt::format("rule '{}'", rule.id);
    for (const auto& p : rules[i].patterns) {
      const int e = static_cast<int>(pf->entries.size());
      // Checked in rule order: the first bad pattern is the one reported.
      ShippedAtoms found;
      std::unique_ptr<re2::FilteredRE2> filter;
      if (auto known = shipped_atoms(p, lines)) {
        found = std::move(*known);
      } else {
        auto analysed = analyse_pattern(p, lines, &questions);
        if (!analysed.error.empty()) fail_invalid(analysed.error, p, where, "pattern");
        // One with atoms needs one of them in the text: never empty text.
        if (analysed.matches_empty) fail_empty(p, where, "pattern");
        found = {std::move(analysed.atoms), std::move(analysed.clauses), std::move(analysed.branches)};
        filter = std::move(analysed.filter);
      }
      pf->entry_clauses.emplace_back(static_cast<int>(pf->clauses.size()), static_cast<int>(pf->clauses.size()));
      pf->entry_branches.emplace_back(static_cast<int>(pf->branches.size()), static_cast<int>(pf->branches.size()));
      const bool bound = !rule.paths.empty() && rule.kind != RuleKind::secret;
      ascii_atoms.push_back(!found.atoms.empty() && std::none_of(found.atoms.begin(), found.atoms.end(), [](const std::string& a) {
        return std::any_of(a.begin(), a.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
      }));
      if (bound) {
        pf->path_bound.push_back(e);
      } else if (found.atoms.empty()) {
        without_atoms.push_back(e);
      } else {
        // The entry is named only by the atoms of one of its clauses (its
        // key clause): a text in which it is a candidate holds every
        // clause, that one among them, so one of these atoms names it.
        const std::vector<char> naming = key_clause(found.atoms, found.clauses);
        std::vector<int> ids;  // the pattern's atom index -> the set's
        for (std::size_t k = 0; k < found.atoms.size(); ++k) {
          auto [it, added] = atom_ids.try_emplace(std::move(found.atoms[k]), static_cast<int>(atom_ids.size()));
          if (added) {
            atoms.push_back(it->first);
            pf->atom_entries.emplace_back();
          }
          ids.push_back(it->second);
          if (!naming[k]) continue;
          auto& named = pf->atom_entries[static_cast<std::size_t>(it->second)];
          if (named.empty() || named.back() != e) named.push_back(e);
        }
        auto add_clauses = [&](const std::vector<std::vector<int>>& cs) {
          for (const auto& c : cs) {
            std::vector<int> clause;
            for (int i : c) clause.push_back(ids.at(static_cast<std::size_t>(i)));
            pf->clauses.push_back(std::move(clause));
          }
        };
        add_clauses(found.clauses);
        pf->entry_clauses.back().second = static_cast<int>(pf->clauses.size());
        // Each branch's clauses after the pattern's, as [first, last) of
        // clauses; the entry's branches as [first, last) of branches.
        const int first_branch = static_cast<int>(pf->branches.size());
        for (const auto& b : found.branches) {
          const int from = static_cast<int>(pf->clauses.size());
          add_clauses(b);
          pf->branches.emplace_back(from, static_cast<int>(pf->clauses.size()));
        }
        pf->entry_branches.back() = {first_branch, static_cast<int>(pf->branches.size())};
      }
      pf->entries.emplace_back(static_cast<int>(i), static_cast<int>(compiled.size()));
      pf->exact_group.push_back(rule.kind == RuleKind::secret ? 0 : rule.kind == RuleKind::hidden ? 1 : 2);
      pf->patterns.push_back("(?m)" + p);
      compiled.push_back(std::make_shared<const LazyRE2>(p, lines, nullptr, std::move(filter)));
    }
  }
  if (pf->entries.empty()) return pf;
  pf->atoms = std::make_unique<AtomFinder>(std::move(atoms));
  std::vector<std::string> bare;
  pf->unfiltered_entries = std::move(without_atoms);
  for (int e : pf->unfiltered_entries) bare.push_back(widened(pf->patterns[static_cast<std::size_t>(e)]));
  try {
    pf->unfiltered = compiled_set(pf->options, bare, "rules");
  } catch (const Error&) {  // not expected: the patterns as they are
    bare.clear();
    for (int e : pf->unfiltered_entries) bare.push_back(pf->patterns[static_cast<std::size_t>(e)]);
    pf->unfiltered = compiled_set(pf->options, bare, "rules");
  }
  pf->unfiltered_patterns = std::move(bare);
  for (std::size_t e = 0; e < pf->patterns.size(); ++e) {
    // A pattern whose atoms are all ASCII is sieved by them in any text
    // (fold_ascii finds an ASCII atom wherever RE2's case folding would).
    if (wide_pattern(pf->patterns[e]) && !ascii_atoms[e] && !pf->bound(static_cast<int>(e))) {
      pf->wide_entries.push_back(static_cast<int>(e));
    }
  }
  return pf;
}

// The sieve of `line`'s entries whose rule passes `keep` (none of them
// path-bound), each entry naming the same (rule, pattern) and sieved by the
// same atoms, clauses, branches and widened set: its candidates in a text
// are exactly `line`'s candidates there that it holds, in the same order.
// The secret rules' own sieve (RuleSet::secret_sieve): the redactor wants
// only them, and the whole line sieve's atoms, clauses and set of patterns
// without atoms cost it about four times as much per text (its sieve on
// git.git's last 57 commits: 64 -> 15 ms of thread CPU).
std::shared_ptr<const RuleSet::Prefilter> sieve_subset(const RuleSet::Prefilter& line, const std::vector<Rule>& rules,
                                                       bool (*keep)(const Rule&)) {
  auto pf = std::make_shared<RuleSet::Prefilter>();
  pf->options = line.options;
  std::vector<int> new_entry(line.entries.size(), -1), new_atom(line.atom_entries.size(), -1);
  std::vector<std::string> atoms;
  for (std::size_t e = 0; e < line.entries.size(); ++e) {
    if (line.bound(static_cast<int>(e)) || !keep(rules[static_cast<std::size_t>(line.entries[e].first)])) continue;
    new_entry[e] = static_cast<int>(pf->entries.size());
    pf->entries.push_back(line.entries[e]);
    pf->patterns.push_back(line.patterns[e]);
    pf->exact_group.push_back(line.exact_group[e]);
    auto copy = [&](std::pair<int, int> range) {
      const int first = static_cast<int>(pf->clauses.size());
      for (int c = range.first; c < range.second; ++c) {
        std::vector<int> clause;
        for (int a : line.clauses[static_cast<std::size_t>(c)]) {
          int& id = new_atom[static_cast<std::size_t>(a)];
          if (id < 0) {
            id = static_cast<int>(atoms.size());
            atoms.push_back(line.atoms->atom(a));
            pf->atom_entries.emplace_back();
          }
          clause.push_back(id);
        }
        pf->clauses.push_back(std::move(clause));
      }
      return std::make_pair(first, static_cast<int>(pf->clauses.size()));
    };
    pf->entry_clauses.push_back(copy(line.entry_clauses[e]));
    const int first_branch = static_cast<int>(pf->branches.size());
    for (int b = line.entry_branches[e].first; b < line.entry_branches[e].second; ++b) {
      pf->branches.push_back(copy(line.branches[static_cast<std::size_t>(b)]));
    }
    pf->entry_branches.emplace_back(first_branch, static_cast<int>(pf->branches.size()));
  }
  // The same atoms name the same entries (atom_entries stay sorted: old
  // entries in order map to new ones in order).
  for (std::size_t a = 0; a < line.atom_entries.size(); ++a) {
    if (new_atom[a] < 0) continue;
    for (int e : line.atom_entries[a]) {
      if (new_entry[static_cast<std::size_t>(e)] >= 0) {
        pf->atom_entries[static_cast<std::size_t>(new_atom[a])].push_back(new_entry[static_cast<std::size_t>(e)]);
      }
    }
  }
  pf->atoms = std::make_unique<AtomFinder>(std::move(atoms));
  std::vector<std::string> bare;
  if (line.unfiltered) {
    for (std::size_t k = 0; k < line.unfiltered_entries.size(); ++k) {
      const int e = new_entry[static_cast<std::size_t>(line.unfiltered_entries[k])];
      if (e < 0) continue;
      pf->unfiltered_entries.push_back(e);
      bare.push_back(line.unfiltered_patterns[k]);
    }
  }
  pf->unfiltered_patterns = bare;
  pf->unfiltered = compiled_set(pf->options, bare, "rules");
  for (int e : line.wide_entries) {
    if (new_entry[static_cast<std::size_t>(e)] >= 0) pf->wide_entries.push_back(new_entry[static_cast<std::size_t>(e)]);
  }
  return pf;
}

std::vector<int> every_entry(std::size_t n) {
  std::vector<int> all(n);
  for (std::size_t i = 0; i < n; ++i) all[i] = static_cast<int>(i);
  return all;
}

// `text` with ASCII letters lowercased, and the two characters outside
// ASCII that RE2's case folding maps to an ASCII letter replaced by it
// (U+212A KELVIN SIGN: k, U+017F LATIN SMALL LETTER LONG S: s), and U+0130
// by 'i' (its lowercase). `*wide`: whether any other byte outside ASCII
// remains, or a U+0130.
std::string fold_ascii(std::string_view text, bool* wide) {
  // Most text is ASCII: one pass the compiler vectorises, without the
  // per-byte appends below (a quarter of the atoms' sieve on the 57.7 MB
  // import: 15 of 64 ms, instrumented).
  unsigned char high = 0;
  for (const char c : text) high |= static_cast<unsigned char>(c);
  if (high < 0x80) {
    *wide = false;
    std::string out(text.size(), '\0');
    for (std::size_t i = 0; i < text.size(); ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      out[i] = static_cast<char>(c + (static_cast<unsigned char>(c - 'A') < 26 ? 'a' - 'A' : 0));
    }
    return out;
  }
  std::string out;
  out.reserve(text.size());
  *wide = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    } else if (text.substr(i, 3) == "\xE2\x84\xAA") {
      out += 'k';
      i += 2;
    } else if (text.substr(i, 2) == "\xC5\xBF") {
      out += 's';
      i += 1;
    } else if (text.substr(i, 2) == "\xC4\xB0") {
      // U+0130, whose lowercase RE2's prefilter takes to be 'i' (an atom
      // of a pattern that names it: "\x{130}stanbul" gives "istanbul");
      // still a character outside ASCII for the wide entries.
      out += 'i';
      i += 1;
      *wide = true;
    } else {
      *wide = true;
      out += static_cast<char>(c);
    }
  }
  return out;
}

// Set indices that match, or nullopt when the set's DFA ran out of memory.
std::optional<std::vector<int>> set_matches(const re2::RE2::Set& set, std::string_view text) {
  std::vector<int> hits;
  re2::RE2::Set::ErrorInfo info{re2::RE2::Set::kNoError};
  if (!set.Match(re2::StringPiece(text.data(), text.size()), &hits, &info) && info.kind != re2::RE2::Set::kNoError) {
    return std::nullopt;
  }
  return hits;
}

}  // namespace

AtomFinder::AtomFinder(std::vector<std::string> atoms) : atoms_(std::move(atoms)), start_((1u << kBits) + 1, 0) {
  for (const auto& a : atoms_) {
    if (a.size() < static_cast<std::size_t>(kMinAtomLength)) {
      throw Error(Error::Code::internal, fmt::format("safety: atom '{}' is shorter than {} bytes", a, kMinAtomLength));
    }
    ++start_[bucket(head(a.data())) + 1];
  }
  for (std::size_t b = 1; b < start_.size(); ++b) start_[b] += start_[b - 1];
  slots_.resize(atoms_.size());
  std::vector<std::uint32_t> next(start_.begin(), start_.end() - 1);
  for (std::size_t i = 0; i < atoms_.size(); ++i) {
    const std::uint32_t h = head(atoms_[i].data());
    slots_[next[bucket(h)]++] = {h, static_cast<std::uint32_t>(i)};
  }
}

std::uint32_t AtomFinder::head(const char* p) {
  const auto b = [&](int i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(p[i])); };
  return b(0) << 16 | b(1) << 8 | b(2);
}

unsigned AtomFinder::bucket(std::uint32_t head) { return (head * 0x9E3779B1u) >> (32 - kBits); }

void AtomFinder::find(std::string_view text, std::vector<char>& seen, std::vector<int>& found) const {
  if (atoms_.empty() || text.size() < static_cast<std::size_t>(kMinAtomLength)) return;
  const char* p = text.data();
  const std::size_t n = text.size();
  std::uint32_t h = head(p) >> 8;  // the first two bytes; each step shifts in the next
  for (std::size_t i = 0; i + kMinAtomLength <= n; ++i) {
    h = ((h << 8) | static_cast<unsigned char>(p[i + 2])) & 0xffffffu;
    const unsigned b = bucket(h);
    for (std::uint32_t k = start_[b], end = start_[b + 1]; k < end; ++k) {
      const Slot s = slots_[k];
      if (s.head != h || seen[s.id]) continue;
      const std::string& a = atoms_[s.id];
      if (a.size() > n - i) continue;
      std::size_t j = 3;
      while (j < a.size() && p[i + j] == a[j]) ++j;
      if (j == a.size()) {
        found.push_back(static_cast<int>(s.id));
        seen[s.id] = 1;
      }
    }
  }
}

std::vector<int> AtomFinder::find(std::string_view text) const {
  std::vector<char> seen(atoms_.size(), 0);
  std::vector<int> found;
  find(text, seen, found);
  std::sort(found.begin(), found.end());
  return found;
}

LazyRE2::LazyRE2(std::string pattern, bool lines, std::unique_ptr<re2::RE2> compiled,
                 std::unique_ptr<re2::FilteredRE2> filter)
    : pattern_(std::move(pattern)), lines_(lines), own_(std::move(compiled)), filter_(std::move(filter)) {
  if (own_) re_.store(own_.get(), std::memory_order_release);
  if (filter_) re_.store(&filter_->GetRE2(0), std::memory_order_release);
}

LazyRE2::~LazyRE2() = default;

std::unique_ptr<re2::RE2> LazyRE2::compile() const {
  auto re = std::make_unique<re2::RE2>("(?m)" + pattern_, pattern_options(lines_));
  // Checked when the rules were compiled: only memory can fail it now.
  if (!re->ok()) {
    throw Error(Error::Code::internal, fmt::format("guidance safety: pattern '{}' no longer compiles: {}", pattern_,
                                                   re->error()));
  }
  return re;
}

const re2::RE2& LazyRE2::get() const {
  if (const re2::RE2* re = re_.load(std::memory_order_acquire)) return *re;
  std::call_once(once_, [this] {
    own_ = compile();
    re_.store(own_.get(), std::memory_order_release);
  });
  return *re_.load(std::memory_order_acquire);
}

namespace {

const ShippedPattern* find_shipped(std::string_view pattern) {
  const ShippedPattern* first = shipped::kPatterns;
  const ShippedPattern* last = shipped::kPatterns + shipped::kPatternCount;
  const ShippedPattern* it =
      std::lower_bound(first, last, pattern, [](const ShippedPattern& s, std::string_view p) { return s.pattern < p; });
  return it == last || it->pattern != pattern ? nullptr : it;
}

}  // namespace

bool is_shipped(std::string_view pattern) { return find_shipped(pattern) != nullptr; }

std::optional<ShippedAtoms> shipped_atoms(std::string_view pattern, bool lines) {
  const ShippedPattern* it = find_shipped(pattern);
  if (!it) return std::nullopt;
  const int k = lines ? 0 : 1;
  ShippedAtoms out;
  for (unsigned i = 0; i < it->atoms_count[k]; ++i) out.atoms.emplace_back(shipped::kAtoms[it->atoms_first[k] + i]);
  const unsigned short* c = shipped::kClauses + it->clauses_first[k];
  const unsigned short* end = c + it->clauses_count[k];
  while (c < end) {
    const unsigned n = *c++;
    out.clauses.emplace_back(c, c + n);
    c += n;
  }
  c = shipped::kClauses + it->branches_first[k];
  end = c + it->branches_count[k];
  while (c < end) {
    auto& branch = out.branches.emplace_back();
    for (unsigned m = *c++; m > 0; --m) {
      const unsigned n = *c++;
      branch.emplace_back(c, c + n);
      c += n;
    }
  }
  return out;
}

Sieve SieveChoice::next(std::size_t bytes) {
  // Unmeasured, the set would have no trial: atoms throughout.
  if (!measured_ || sieved_.fetch_add(bytes, std::memory_order_relaxed) < kExactAfterBytes) return Sieve::atoms;
  return verdict_.load(std::memory_order_relaxed) == kAtoms ? Sieve::atoms : Sieve::exact;
}

void SieveChoice::cost(Sieve used, std::size_t bytes, std::chrono::nanoseconds spent) {
  if (verdict_.load(std::memory_order_relaxed) != kUndecided) return;
  const auto ns = static_cast<std::uint64_t>(std::max<std::int64_t>(spent.count(), 0));
  if (used == Sieve::atoms) {
    atoms_bytes_.fetch_add(bytes, std::memory_order_relaxed);
    atoms_ns_.fetch_add(ns, std::memory_order_relaxed);
    return;
  }
  // The set's first states are built on the first text it reads, whatever
  // the text: that warm-up is not what the set costs from then on.
  if (exact_seen_.fetch_add(bytes, std::memory_order_relaxed) < kExactWarmBytes) return;
  const std::uint64_t eb = exact_bytes_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  const std::uint64_t en = exact_ns_.fetch_add(ns, std::memory_order_relaxed) + ns;
  const std::uint64_t ab = atoms_bytes_.load(std::memory_order_relaxed);
  const std::uint64_t an = atoms_ns_.load(std::memory_order_relaxed);
  // What the atoms would have cost per byte, times the handicap (0: nothing
  // measured by atoms, nothing to weigh, the set stays).
  const long double allowed = ab > 0 ? kExactHandicap * static_cast<long double>(an) / static_cast<long double>(ab) : 0;
  // A trial that has already cost what all of kTrialBytes may cost has lost:
  // on varied code the set costs 12-16 times the atoms, and reading the
  // rest of its trial (0.5 MB at ~1.5 us a byte) was most of its price.
  const bool lost = ab > 0 && static_cast<long double>(en) > allowed * static_cast<long double>(kTrialBytes);
  if (eb < kTrialBytes && !lost) return;
  const bool exact_dearer = lost || (ab > 0 && static_cast<long double>(en) / static_cast<long double>(eb) > allowed);
  int undecided = kUndecided;
  verdict_.compare_exchange_strong(undecided, exact_dearer ? kAtoms : kExact, std::memory_order_relaxed);
}

std::vector<int> RuleSet::Prefilter::candidates(std::string_view text, bool with_path_bound) const {
  return candidates(text, with_path_bound, Sieve::atoms);
}

std::vector<int> RuleSet::Prefilter::candidates(std::string_view text, bool with_path_bound, Sieve sieve) const {
  std::vector<int> sieved = sieve == Sieve::atoms ? filtered_candidates(text) : exact_candidates(text);
  if (!with_path_bound || path_bound.empty() || sieved.size() == entries.size()) return sieved;
  std::vector<int> all;
  all.reserve(sieved.size() + path_bound.size());
  std::merge(sieved.begin(), sieved.end(), path_bound.begin(), path_bound.end(), std::back_inserter(all));
  return all;
}

bool RuleSet::Prefilter::bound(int entry) const {
  return std::binary_search(path_bound.begin(), path_bound.end(), entry);
}

void RuleSet::Prefilter::build_exact() const {
  std::call_once(exact_once_, [this] {
    std::vector<std::string> sieved[kExactSets];
    for (std::size_t e = 0; e < patterns.size(); ++e) {
      if (bound(static_cast<int>(e))) continue;
      sieved[exact_group[e]].push_back(patterns[e]);
      exact_entries_[exact_group[e]].push_back(static_cast<int>(e));
    }
    for (std::size_t g = 0; g < kExactSets; ++g) exact_[g] = compiled_set(options, sieved[g], "rules");
  });
}

void RuleSet::Prefilter::prepare_exact() const {
  if (entries.empty()) return;
  try {
    build_exact();
  } catch (const std::exception&) {
    // call_once lets the first use try again and throw to its caller.
  }
}

std::vector<int> RuleSet::Prefilter::exact_candidates(std::string_view text) const {
  if (entries.empty()) return {};
  build_exact();
  std::vector<int> all;
  for (std::size_t g = 0; g < kExactSets; ++g) {
    auto hits = set_matches(*exact_[g], text);
    if (!hits) return every_entry(entries.size());
    for (int h : *hits) all.push_back(exact_entries_[g][static_cast<std::size_t>(h)]);
  }
  std::sort(all.begin(), all.end());
  return all;
}

std::vector<int> RuleSet::Prefilter::filtered_candidates(std::string_view text) const {
  if (entries.empty()) return {};
  bool wide = false;
  const std::string folded = fold_ascii(text, &wide);
  auto loose = set_matches(*unfiltered, text);
  if (!loose) return every_entry(entries.size());
  // The entries with an atom in the text, each once, then those of them
  // whose every clause has an atom in it. `present` (per atom) and
  // `seen_entry` are this thread's, all zero between calls: each flag set
  // is listed first and reset on the way out, a throw included.
  thread_local std::vector<char> present, seen_entry;
  if (present.size() < atoms->size()) present.resize(atoms->size(), 0);
  if (seen_entry.size() < entries.size()) seen_entry.resize(entries.size(), 0);
  std::vector<int> found_atoms, named, hits;
  struct Reset {
    std::vector<char>& flags;
    const std::vector<int>& set;
    ~Reset() {
      for (int i : set) flags[static_cast<std::size_t>(i)] = 0;
    }
  } reset_atoms{present, found_atoms}, reset_entries{seen_entry, named};
  atoms->find(folded, present, found_atoms);
  const auto in_text = [&](int a) { return present[static_cast<std::size_t>(a)] != 0; };
  for (int a : found_atoms) {
    for (int e : atom_entries[static_cast<std::size_t>(a)]) {
      if (seen_entry[static_cast<std::size_t>(e)]) continue;
      named.push_back(e);
      seen_entry[static_cast<std::size_t>(e)] = 1;
      const auto all_hold = [&](std::pair<int, int> range) {
        for (int c = range.first; c < range.second; ++c) {
          const auto& clause = clauses[static_cast<std::size_t>(c)];
          if (std::none_of(clause.begin(), clause.end(), in_text)) return false;
        }
        return true;
      };
      if (!all_hold(entry_clauses[static_cast<std::size_t>(e)])) continue;
      // A pattern with branches matches only where one of them does.
      const auto [first, last] = entry_branches[static_cast<std::size_t>(e)];
      bool branch = first == last;
      for (int b = first; b < last && !branch; ++b) branch = all_hold(branches[static_cast<std::size_t>(b)]);
      if (branch) hits.push_back(e);
    }
  }
  for (int k : *loose) hits.push_back(unfiltered_entries[static_cast<std::size_t>(k)]);
  if (wide) hits.insert(hits.end(), wide_entries.begin(), wide_entries.end());
  std::sort(hits.begin(), hits.end());
  hits.erase(std::unique(hits.begin(), hits.end()), hits.end());
  return hits;
}

const RuleSet::Prefilter* RuleSet::secret_sieve() const {
  std::call_once(secret_once_, [this] {
    if (line_set && !line_set->entries.empty()) {
      secret_set_ = sieve_subset(*line_set, rules, [](const Rule& r) { return r.kind == RuleKind::secret; });
    }
  });
  return secret_set_.get();
}

std::uint64_t RuleSet::languages_of(const std::string& path) const {
  std::uint64_t mask = 0;
  for (std::size_t i = 0; i < language_matchers.size(); ++i) {
    if (language_matchers[i].matches(path)) mask |= std::uint64_t{1} << i;
  }
  return mask;
}

std::shared_ptr<const RuleSet> compile_rules(const json& section, std::string version) {
  if (!section.is_object()) fail("section", "must be a mapping");
  check_keys(section, kSectionKeys, "section");
  auto set = std::make_shared<RuleSet>();
  set->version = std::move(version);

  if (section.contains("languages")) {
    const auto& langs = section["languages"];
    if (!langs.is_object()) fail("languages", "must map a language name to a list of path globs");
    if (langs.size() > 64) fail("languages", "at most 64 languages");
    for (const auto& [name, g] : langs.items()) {
      set->language_names.push_back(name);
      set->language_matchers.push_back(
          globs(string_list(langs, name.c_str(), "languages." + name), "languages." + name, "globs"));
    }
  }
  set->test_paths = globs(string_list(section, "test_paths", "test_paths"), "test_paths", "test_paths");
  if (section.contains("test_severity")) {
    set->test_severity = severity_of(section["test_severity"], "test_severity", "test_severity");
  }
  if (section.contains("max_findings_per_rule_per_file")) {
    const auto& m = section["max_findings_per_rule_per_file"];
    if (!m.is_number_integer() || m.get<long long>() < 1) {
      fail("max_findings_per_rule_per_file", "must be a positive integer");
    }
    set->max_per_rule_per_file = m.get<int>();
  }
  auto placeholders = string_list(section, "placeholders", "placeholders");
  if (!placeholders.empty()) {
    std::string all;
    for (const auto& p : placeholders) {
      checked(p, true, "placeholders", "placeholder");  // names the bad one
      if (!all.empty()) all += '|';
      all += "(?:";
      all += p;
      all += ')';
    }
    auto any = checked(all, true, "placeholders", "placeholder");
    set->placeholder = std::shared_ptr<const re2::RE2>(any, &any->get());
  }

  std::vector<Parsed> parsed;
  if (section.contains("rules")) {
    const auto& rules = section["rules"];
    if (!rules.is_object()) fail("rules", "must map a rule id to its definition");
    for (const auto& [id, r] : rules.items()) {
      if (r.is_object() && rule_state(r, fmt::format("rule '{}'", id)) == State::off) {
        // A disabled rule is still checked, so a typo does not hide.
        auto off = parse_rule(id, r, *set);
        for (const auto& p : off.patterns) checked(p, true, fmt::format("rule '{}'", id), "pattern");
        continue;
      }
      parsed.push_back(parse_rule(id, r, *set));
    }
  }
  // Specific secrets first, then generic ones, then everything else, keeping
  // the (alphabetical) order within each group: the scanner keeps the first
  // secret found on a span.
  std::stable_sort(parsed.begin(), parsed.end(), [](const Parsed& a, const Parsed& b) {
    auto rank = [](const Rule& r) { return r.kind != RuleKind::secret ? 2 : r.generic ? 1 : 0; };
    return rank(a.rule) < rank(b.rule);
  });
  // The two sets are built on two threads (each writes only its own field
  // of a rule): a pattern that is not shipped is compiled here, and the
  // PR-text set's (mostly long prompt-injection patterns) were about two
  // fifths of that work when every pattern was. A failure in both reports
  // the line set's, as one thread would.
  std::shared_ptr<const RuleSet::Prefilter> built[2];
  on_two_threads(2, true, [&](std::size_t i, int) { built[i] = build_prefilter(parsed, i == 0); });
  set->line_set = std::move(built[0]);
  set->text_set = std::move(built[1]);
  for (auto& p : parsed) {
    set->has_decoded |= p.rule.decoded;
    set->rules.push_back(std::move(p.rule));
  }
  return set;
}

std::shared_ptr<const RuleSet> rules_for(const Guidance& guidance) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const RuleSet>> cache;
  {
    std::lock_guard lock(mutex);
    if (auto it = cache.find(guidance.version); it != cache.end()) return it->second;
  }
  // Compile outside the lock: two threads may both compile the same version
  // once; the first to store it wins. A failed compile is not cached.
  auto compiled = compile_rules(guidance.section("safety"), guidance.version);
  std::lock_guard lock(mutex);
  if (cache.size() >= 8) cache.clear();  // a server sees few versions; bound it anyway
  return cache.emplace(guidance.version, std::move(compiled)).first->second;
}

}  // namespace reviewer::safety
