#include "subagents/safety/matching.h"

#include <algorithm>

#include <fmt/format.h>

#include "subagents/safety/hidden_secrets.h"
#include "subagents/safety/prefilter.h"
#include "subagents/safety/secret_checks.h"

namespace reviewer::safety {

namespace {

// The line an `unless` judges a hit by: the line its text starts on (a hit
// may begin with the line break before it, as `(?:^|\s)ai:` does) and, so
// that an exemption covers no more than its line, only when the hit ends on
// that line too. npos when the hit is not one line's.
std::size_t hit_line_end(std::string_view text, std::size_t b, std::size_t len, std::size_t* line_begin) {
  std::size_t at = b;
  while (at < b + len && (text[at] == '\n' || text[at] == '\r')) ++at;
  std::size_t lb = text.rfind('\n', at == 0 ? 0 : at - 1);
  lb = (lb == std::string_view::npos || at == 0) ? 0 : lb + 1;
  std::size_t le = text.find('\n', at);
  if (le == std::string_view::npos) le = text.size();
  if (b + len > le) return std::string_view::npos;
  *line_begin = lb;
  return le;
}

}  // namespace

int secret_group(const re2::RE2& re) {
  const auto& named = re.NamedCapturingGroups();
  auto it = named.find("secret");
  return it == named.end() ? 0 : it->second;
}

Verdict judge_secret(const RuleSet& rules, const Rule& rule, std::string_view value) {
  if (value.size() < rule.min_length) return Verdict::not_secret;
  if (rule.placeholders && rules.placeholder) {
    if (re2::RE2::PartialMatch(piece(value), *rules.placeholder)) return Verdict::not_secret;
    // A placeholder in base64 (`dGVzdC1jbGllbnQtc2VjcmV0…`, "test-client-secret…"
    // in a fixture) is one too; random bytes do not decode to text.
    if (value.size() >= 16) {
      if (const auto text = b64_decode(value); text && re2::RE2::PartialMatch(piece(*text), *rules.placeholder)) {
        return Verdict::not_secret;
      }
    }
  }
  if (rule.min_entropy > 0 && shannon_entropy(value) < rule.min_entropy) return Verdict::not_secret;
  if (rule.github_checksum && !github_checksum_valid(value)) return Verdict::bad_checksum;
  return Verdict::secret;
}

bool plausible_secret(const RuleSet& rules, const Rule& rule, std::string_view value) {
  return judge_secret(rules, rule, value) == Verdict::secret;
}

std::vector<SecretSpan> secret_spans_of(const RuleSet& rules, const Rule& rule, const re2::RE2& re,
                                        std::string_view text, bool* matched) {
  std::vector<SecretSpan> spans;
  if (matched) *matched = false;
  const auto group = static_cast<std::size_t>(secret_group(re));
  std::vector<re2::StringPiece> groups(group + 1);
  for (std::size_t pos = 0; pos <= text.size() && re.Match(piece(text), pos, text.size(), re2::RE2::UNANCHORED,
                                                             groups.data(), static_cast<int>(groups.size()));) {
    if (matched) *matched = true;
    re2::StringPiece v = group > 0 && groups[group].data() ? groups[group] : groups[0];
    auto b = static_cast<std::size_t>(groups[0].data() - text.data());
    pos = groups[0].empty() ? b + 1 : b + groups[0].size();
    if (plausible_secret(rules, rule, std::string_view(v.data(), v.size()))) {
      auto vb = static_cast<std::size_t>(v.data() - text.data());
      spans.push_back({vb, vb + v.size(), &rule});
    }
  }
  return spans;
}

std::vector<SecretSpan> secret_spans(const RuleSet& rules, std::string_view text) {
  std::vector<SecretSpan> spans;
  // The secret rules' own sieve: the line sieve's candidates among them.
  const RuleSet::Prefilter* sieve = rules.secret_sieve();
  if (!sieve) return spans;
  for (int c : sieve->candidates(text)) {
    auto [ri, pi] = sieve->entries[static_cast<std::size_t>(c)];
    const Rule& rule = rules.rules[static_cast<std::size_t>(ri)];
    if (rule.kind != RuleKind::secret) continue;
    const auto found = secret_spans_of(rules, rule, rule.line_patterns[static_cast<std::size_t>(pi)]->get(), text);
    spans.insert(spans.end(), found.begin(), found.end());
  }
  std::sort(spans.begin(), spans.end(), [](const SecretSpan& a, const SecretSpan& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
  });
  return spans;
}

std::string without_secrets(const RuleSet& rules, std::string_view text) {
  std::string out;
  std::size_t at = 0;
  for (const auto& s : secret_spans(rules, text)) {
    if (s.end <= at) continue;
    if (s.begin > at) out.append(text.substr(at, s.begin - at));
    out += "[REDACTED]";
    at = s.end;
  }
  out.append(text.substr(std::min(at, text.size())));
  return out;
}

const re2::RE2& PatternScope::get(const LazyRE2& pattern) {
  if (pattern.compiled()) return pattern.get();
  auto& own = own_[&pattern];
  if (!own) own = pattern.compile();
  return *own;
}

void scan_position(const RuleSet& rules, const TextPosition& at, const std::string& text,
                   std::vector<const Rule*>& reported, std::vector<Finding>& out, bool decoded_only,
                   PatternScope* scope) {
  if (text.empty()) return;
  constexpr int kMaxTries = 64;  // hits examined per rule; each is linear
  const auto& set = at.name ? rules.line_set : rules.text_set;
  if (!set) return;
  for (int c : set->candidates(text)) {
    auto [ri, pi] = set->entries[static_cast<std::size_t>(c)];
    const Rule& rule = rules.rules[static_cast<std::size_t>(ri)];
    if (at.name ? !rule.on_names : !rule.on_pr_text) continue;
    if (decoded_only && !rule.decoded) continue;
    if (std::find(reported.begin(), reported.end(), &rule) != reported.end()) continue;
    const LazyRE2& pattern = *(at.name ? rule.line_patterns : rule.text_patterns)[static_cast<std::size_t>(pi)];
    const re2::RE2& re = scope && !at.name ? scope->get(pattern) : pattern.get();
    const auto group = static_cast<std::size_t>(secret_group(re));
    std::vector<re2::StringPiece> groups(group + 1);
    std::string evidence;
    std::size_t pos = 0;
    const std::string_view all(text);
    for (int tries = 0; evidence.empty() && tries < kMaxTries && pos <= text.size() &&
                        re.Match(piece(text), pos, text.size(), re2::RE2::UNANCHORED, groups.data(),
                                 static_cast<int>(groups.size()));) {
      const auto b = static_cast<std::size_t>(groups[0].data() - text.data());
      pos = groups[0].empty() ? b + 1 : b + groups[0].size();
      if (rule.unless && rule.unless_on_match) {
        if (re2::RE2::PartialMatch(groups[0], rule.unless->get())) continue;  // not a try either
      } else if (rule.unless) {
        // An exempted line is not a try, or 64 exempted lines would hide
        // the request after them; the search goes on from the line's end
        // (its line break, which the next hit may start with), so each
        // line is exempted at most once.
        std::size_t lb = 0;
        const std::size_t le = hit_line_end(all, b, groups[0].size(), &lb);
        if (le != std::string_view::npos && re2::RE2::PartialMatch(piece(all.substr(lb, le - lb)), rule.unless->get())) {
          pos = std::max(le, b + 1);
          continue;
        }
      }
      ++tries;
      if (rule.kind == RuleKind::secret) {
        re2::StringPiece v = group > 0 && groups[group].data() ? groups[group] : groups[0];
        std::string_view value(v.data(), v.size());
        if (!plausible_secret(rules, rule, value)) continue;
        evidence = fmt::format("{}: {}", at.label, redact(rule.id, value));
      } else {
        const std::size_t from = b > kEvidenceContext ? b - kEvidenceContext : 0;
        const std::size_t len = std::min(all.size() - from, groups[0].size() + 2 * kEvidenceContext);
        evidence = fmt::format("{}: {}", at.label,
                               printable_excerpt(without_secrets(rules, all.substr(from, len)), kEvidenceMax));
      }
    }
    if (evidence.empty()) continue;
    reported.push_back(&rule);
    Finding f;
    f.rule = rule.name;
    f.severity = rule.severity;
    // A path holding a secret is no place to repeat it: the agent's
    // findings never carry a raw secret.
    f.path = at.path.empty() ? "" : without_secrets(rules, at.path);
    f.message = rule.message + " " + rule.why;
    f.evidence = std::move(evidence);
    f.suggestion = rule.fix;
    f.shadow = rule.shadow;
    out.push_back(std::move(f));
  }
}

}  // namespace reviewer::safety
