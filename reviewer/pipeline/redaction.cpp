#include "reviewer/pipeline/redaction.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <limits>
#include <map>

#include "reviewer/core/error.h"
#include "reviewer/core/text.h"
#include "subagents/safety/secret_spans.h"

namespace reviewer {

namespace {

// A value cut short in an excerpt is still masked from this many bytes on.
constexpr std::size_t kMinPrefix = 8;
constexpr int kMaxFlaggedSpan = 256;  // lines of one secret finding masked whole
// Known values are searched for in every text; past this many (a fixture
// full of keys) the rules' own scan still masks the rest.
constexpr std::size_t kMaxValues = SecretScan::kMaxValues;
constexpr std::size_t kBlockBytes = 16 * 1024;

// The shipped defaults' rules, compiled once: a team's guidance can switch
// a secret rule off for its findings, never for the mask.
// Letters only, in one case after the first: what an ordinary word looks
// like, and what no key's first bytes do (they hold digits, a separator or
// mixed case).
bool word_like(std::string_view s) {
  const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!std::all_of(s.begin(), s.end(), letter)) return false;
  const std::string_view rest = s.substr(1);
  return std::all_of(rest.begin(), rest.end(), [](char c) { return c >= 'a' && c <= 'z'; }) ||
         std::all_of(rest.begin(), rest.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool alnum_byte(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// Whether a text cut short ends where `after` begins: the end of the text,
// an ellipsis, or a printable excerpt's escape of the next byte.
bool cut_here(std::string_view after) {
  return after.empty() || after.starts_with("\u2026") || after.starts_with("...") || after.starts_with("<U+") ||
         after.starts_with("<0x");
}

std::shared_ptr<const safety::RuleSet> shipped_rules() {
  static const std::shared_ptr<const safety::RuleSet> rules = safety::rules_for(load_guidance());
  return rules;
}

// Which lines of a file a text holds: all of them with the hunk headers
// (what the redactor learns from when no scan of the safety agent covers
// the file), those the safety agent does not scan (headers, deleted and
// context lines), or the added ones alone.
enum class LinesOf { all, not_added, added };

// The chosen lines of a file, each followed by '\n'.
std::string file_text(const FileDiff& file, LinesOf which) {
  std::string joined;
  for (const auto& hunk : file.hunks) {
    if (which != LinesOf::added) {
      joined += hunk.header;
      joined += '\n';
    }
    for (const auto& line : hunk.lines) {
      const bool added = line.origin == LineOrigin::added;
      if ((which == LinesOf::added && !added) || (which == LinesOf::not_added && added)) continue;
      joined += line.content;
      joined += '\n';
    }
  }
  return joined;
}

// Which file of the diff (its position) with which text: its path, hunk
// headers and lines, hashed without copying them (lines that lie one after
// the other in the file's own buffer are hashed as one piece). The
// position matters: std::hash is no defence against a crafted collision,
// and a file can only match its own fingerprint, never another file's of
// the same PR.
std::size_t fingerprint(std::size_t index, const FileDiff& file) {
  std::size_t h = std::hash<std::string_view>{}(file.path());
  auto mix = [&h](std::string_view s) { h = (h ^ std::hash<std::string_view>{}(s)) * 1099511628211ull + s.size(); };
  const char* own_begin = file.text ? file.text->data() : nullptr;
  const char* own_end = file.text ? file.text->data() + file.text->size() : nullptr;
  auto owned = [&](std::string_view s) { return own_begin && s.data() >= own_begin && s.data() + s.size() < own_end; };
  for (const auto& hunk : file.hunks) {
    mix(hunk.header);
    const char* run = nullptr;  // a piece of the file's buffer: lines and the '\n' after each
    const char* run_end = nullptr;
    for (const auto& line : hunk.lines) {
      const std::string_view c = line.content;
      if (run && owned(c) && c.data() == run_end) {
        run_end = c.data() + c.size() + 1;
        continue;
      }
      if (run) mix(std::string_view(run, static_cast<std::size_t>(run_end - run)));
      run = nullptr;
      if (owned(c)) {
        run = c.data();
        run_end = c.data() + c.size() + 1;
      } else {
        mix(c);
      }
    }
    if (run) mix(std::string_view(run, static_cast<std::size_t>(run_end - run)));
  }
  return h * 1000003 + index;
}

// Every text someone typed into a PR (labels too: cheap). Not the
// repository and author names: identities the audit log is keyed by, which
// GitHub restricts to short plain names.
void for_each_text(PullRequest& p, const std::function<void(std::string&)>& f) {
  for (auto* s : {&p.title, &p.body, &p.base_ref, &p.head_ref}) f(*s);
  for (auto& l : p.labels) f(l);
  for (auto& m : p.commit_messages) f(m);
}

}  // namespace

void prepare_redactor_rules() { (void)shipped_rules(); }

Redactor::Redactor(const Guidance& guidance, const PullRequest& pr, const Diff& diff,
                   const std::vector<AgentReport>& agents, const SecretScan* scan) {
  rules_.push_back(shipped_rules());
  try {
    auto own = safety::rules_for(guidance);
    if (own->version != rules_.front()->version) rules_.push_back(std::move(own));
  } catch (const Error&) {
    // Invalid safety guidance fails the safety agent (the run cannot
    // approve); the shipped rules still mask what leaves.
  }

  PullRequest texts = pr;
  for_each_text(texts, [this](std::string& s) { learn(s); });
  for (const auto& n : diff.notes) learn(n);
  const bool scan_fits = scan && scan->files.size() == diff.files.size();
  for (std::size_t i = 0; i < diff.files.size(); ++i) {
    const FileDiff& file = diff.files[i];
    learn(file.old_path + "\n" + file.new_path);
    // One scan per file, as the safety agent does: the rules' patterns never
    // match across a line break. Added lines the safety agent's scan read
    // with one of our rule sets are not read again with it.
    const safety::RuleSet* scanned = scan_fits && scan->files[i].scanned ? rule_set(scan->rules_version) : nullptr;
    std::size_t found = 0;
    if (!scanned) {
      found = learn(file_text(file, LinesOf::all));
    } else {
      for (const auto& [value, rule] : scan->files[i].values) remember(value, rule);
      found = scan->files[i].values.size() + learn(file_text(file, LinesOf::not_added));
      if (rules_.size() > 1) found += learn(file_text(file, LinesOf::added), scanned);
    }
    if (found == 0) clean_files_.insert(fingerprint(i, file));
  }

  for (const auto& a : agents) {
    for (const auto& f : a.findings) {
      if (!f.rule.starts_with("safety/secret/")) continue;
      // Every line the finding spans (a value joined over lines), at most
      // kMaxFlaggedSpan of them.
      const int last = std::min(std::max(f.line, f.end_line), f.line + kMaxFlaggedSpan - 1);
      for (int l = f.line; l <= last; ++l) flagged_[{f.path, l}] = f.rule;
    }
  }
  if (flagged_.empty()) return;
  for (const auto& file : diff.files) {
    if (!any_flagged(file)) continue;  // not every line of an import looked up for one flagged key
    for (const auto& hunk : file.hunks) {
      for (const auto& line : hunk.lines) {
        const std::string* rule = flagged_rule(file, line);
        if (!rule) continue;
        // Very short lines would mask unrelated text; the rules and the
        // token mask still catch a credential on them.
        std::string_view content = trim(line.content);
        if (content.size() >= kMinPrefix) secret_lines_.emplace_back(std::string(content), *rule);
      }
    }
  }
}

bool Redactor::any_flagged(const FileDiff& file) const {
  auto it = flagged_.lower_bound({file.path(), std::numeric_limits<int>::min()});
  return it != flagged_.end() && it->first.first == file.path();
}

const std::string* Redactor::flagged_rule(const FileDiff& file, const DiffLine& line) const {
  if (line.origin == LineOrigin::deleted) return nullptr;
  auto it = flagged_.find({file.path(), line.new_line});
  return it == flagged_.end() ? nullptr : &it->second;
}

void Redactor::mask_lines(FileDiff& file, const std::function<std::string(std::string_view)>& f) const {
  // One call of `f` on every line joined by '\n' (one scan per file, as the
  // safety agent does; no mask holds a line break, so the lines split back
  // one to one), flagged lines already replaced whole. Looked up before the
  // path itself is masked.
  std::string joined;
  std::size_t count = 0;
  bool flagged = false;
  for (const auto& hunk : file.hunks) {
    for (const auto& line : hunk.lines) {
      if (count++ > 0) joined += '\n';
      if (const std::string* rule = flagged_rule(file, line)) {
        joined += "[redacted: " + *rule + "]";
        flagged = true;
      } else {
        joined += line.content;
      }
    }
  }
  if (count == 0) return;
  const std::string masked = f(joined);
  if (!flagged && masked == joined) return;  // nothing masked: the lines keep their text
  std::vector<std::string_view> parts;
  for (std::size_t b = 0;;) {
    std::size_t e = masked.find('\n', b);
    parts.push_back(std::string_view(masked).substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (e == std::string::npos) break;
    b = e + 1;
  }
  // A line that held a break of its own (never from git) is masked alone.
  std::deque<std::string> alone;
  std::size_t i = 0;
  for (auto& hunk : file.hunks) {
    for (auto& line : hunk.lines) {
      if (parts.size() == count) {
        line.content = parts[i++];
      } else {
        const std::string* rule = flagged_rule(file, line);
        line.content = alone.emplace_back(rule ? f("[redacted: " + *rule + "]") : f(line.content));
      }
    }
  }
  own_text(file);  // before `masked` and `alone` go
}

const safety::RuleSet* Redactor::rule_set(const std::string& version) const {
  for (const auto& rules : rules_) {
    if (rules->version == version) return rules.get();
  }
  return nullptr;
}

void Redactor::rule_spans(std::string_view text, std::vector<Span>& spans, const safety::RuleSet* except) const {
  // In blocks of whole lines, as the safety agent scans: the rule set's DFA
  // stays small, and no pattern matches across a line break.
  for (std::size_t b = 0; b < text.size();) {
    std::size_t e = b + kBlockBytes >= text.size() ? text.size() : text.find('\n', b + kBlockBytes);
    if (e == std::string_view::npos) e = text.size();
    for (const auto& rules : rules_) {
      if (rules.get() == except) continue;
      for (const auto& hit : safety::secret_spans(*rules, text.substr(b, e - b))) {
        spans.push_back({b + hit.begin, b + hit.end, hit.rule->name});
      }
    }
    b = e + 1;
  }
}

std::size_t Redactor::learn(std::string_view text, const safety::RuleSet* except) {
  std::vector<Span> spans;
  rule_spans(text, spans, except);
  for (const auto& s : spans) remember(text.substr(s.begin, s.end - s.begin), s.rule);
  return spans.size();
}

void Redactor::remember(std::string_view value, const std::string& rule) {
  if (values_.size() >= kMaxValues) return;
  if (std::none_of(values_.begin(), values_.end(), [&](const auto& x) { return x.first == value; })) {
    values_.emplace_back(std::string(value), rule);
  }
}

void Redactor::known_spans(std::string_view s, std::vector<Span>& spans, bool words) const {
  for (const auto& [value, rule] : values_) {
    // A password that is an ordinary word ("saleor" of a demo database URL)
    // leaves paths alone: a path is public, and a masked one places no
    // comment on its file.
    if (!words && word_like(value)) continue;
    // A value cut at its start (an excerpt that begins inside it) still
    // ends like it: its last kMinPrefix bytes and as many before them as
    // match.
    if (value.size() >= 2 * kMinPrefix) {
      const std::string_view tail = std::string_view(value).substr(value.size() - kMinPrefix);
      for (std::size_t at = s.find(tail); at != std::string_view::npos; at = s.find(tail, at + 1)) {
        std::size_t n = kMinPrefix;
        while (n < value.size() && at + kMinPrefix >= n + 1 && s[at + kMinPrefix - n - 1] == value[value.size() - n - 1]) ++n;
        const std::size_t from = at + kMinPrefix - n;
        if (n < value.size() && !word_like(s.substr(from, n))) spans.push_back({from, at + kMinPrefix, rule});
      }
    }
    const std::string_view head = std::string_view(value).substr(0, std::min(value.size(), kMinPrefix));
    for (std::size_t at = s.find(head); at != std::string_view::npos; at = s.find(head, at + 1)) {
      std::size_t n = head.size();
      while (n < value.size() && at + n < s.size() && s[at + n] == value[n]) ++n;
      // A short value counts only whole; a long one also cut short, but a
      // cut that leaves an ordinary word ("password" of "passwordXq7Z...")
      // only where an excerpt ends: "lookup/password.py" stays readable.
      // In a path, a short value (under kMinPrefix bytes: `ed42` of a
      // database URL) counts only as a whole name, not inside a longer one
      // (`src/feed42x/…`), where it is a coincidence of a few characters.
      if (n == value.size() && !words && value.size() < kMinPrefix &&
          ((at > 0 && alnum_byte(s[at - 1])) || (at + n < s.size() && alnum_byte(s[at + n])))) {
        continue;
      }
      if (n == value.size() || (n >= kMinPrefix && (!word_like(s.substr(at, n)) || cut_here(s.substr(at + n))))) {
        spans.push_back({at, at + n, rule});
      }
    }
  }
  for (const auto& [content, rule] : secret_lines_) {
    for (std::size_t at = s.find(content); at != std::string_view::npos; at = s.find(content, at + 1)) {
      spans.push_back({at, at + content.size(), rule});
    }
  }
}

std::string Redactor::mask(std::string_view s, bool scan, bool known, bool words) const {
  std::vector<Span> spans;
  if (scan) rule_spans(s, spans);
  if (known) known_spans(s, spans, words);
  if (spans.empty()) return std::string(s);
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
  std::string out;
  std::size_t at = 0;
  for (std::size_t i = 0; i < spans.size();) {
    // Overlapping spans become one mask, named after the first.
    std::size_t end = spans[i].end;
    std::size_t j = i + 1;
    while (j < spans.size() && spans[j].begin < end) end = std::max(end, spans[j++].end);
    out.append(s.substr(at, spans[i].begin - at));
    out += "[redacted: " + spans[i].rule + "]";
    at = end;
    i = j;
  }
  out.append(s.substr(at));
  return out;
}

std::string Redactor::text(std::string_view s) const { return mask(s, true, true); }

std::string Redactor::path_text(std::string_view s) const { return mask(s, true, true, /*words=*/false); }

std::string Redactor::model_text(std::string_view s) const {
  return redact(text(s), std::numeric_limits<std::size_t>::max(), /*keep_layout=*/true);
}

// Diff lines get the rules' scan and the flagged lines, not the search for
// every known value (a pass over the whole diff per value): any secret in
// them is one the rules find there.
Diff Redactor::model_diff(const Diff& d) const {
  Diff out = d;
  for (auto& file : out.files) {
    mask_lines(file, [this](std::string_view s) {
      return redact(mask(s, true, false), std::numeric_limits<std::size_t>::max(), /*keep_layout=*/true);
    });
    for (auto& hunk : file.hunks) hunk.header = model_text(hunk.header);
    file.old_path = model_text(file.old_path);
    file.new_path = model_text(file.new_path);
  }
  return out;
}

PullRequest Redactor::model_pr(const PullRequest& p) const {
  PullRequest out = p;
  for_each_text(out, [this](std::string& s) { s = model_text(s); });
  return out;
}

PullRequest Redactor::pr(const PullRequest& p) const {
  PullRequest out = p;
  for_each_text(out, [this](std::string& s) { s = text(s); });
  return out;
}

Diff Redactor::diff(Diff out) const {
  for (auto& n : out.notes) n = text(n);
  for (std::size_t i = 0; i < out.files.size(); ++i) {
    FileDiff& file = out.files[i];
    // A file the rules found nothing in when the redactor learnt the change
    // (the same text: its fingerprint) has nothing to mask on its lines
    // unless the safety agent flagged one; not scanning it twice halves the
    // redactor's time on a large change.
    const bool clean = !clean_files_.empty() && clean_files_.count(fingerprint(i, file)) > 0 &&
                       (!any_flagged(file) || std::none_of(file.hunks.begin(), file.hunks.end(), [&](const Hunk& h) {
                         return std::any_of(h.lines.begin(), h.lines.end(),
                                            [&](const DiffLine& l) { return flagged_rule(file, l) != nullptr; });
                       }));
    if (!clean) mask_lines(file, [this](std::string_view s) { return mask(s, true, false); });
    for (auto& hunk : file.hunks) hunk.header = text(hunk.header);
    const std::string old_path = path_text(file.old_path), new_path = path_text(file.new_path);
    file.path_redacted = file.path_redacted || old_path != file.old_path || new_path != file.new_path;
    file.old_path = old_path;
    file.new_path = new_path;
  }
  return out;
}

void Redactor::apply(ReviewResult& r) const {
  r.pr = pr(r.pr);
  r.diff = diff(std::move(r.diff));
  auto risk = [this](std::optional<Risk>& k) {
    if (!k) return;
    for (auto* s : {&k->explanation, &k->note, &k->threshold_source}) *s = text(*s);
  };
  for (auto& a : r.agents) {
    a.error = text(a.error);
    a.partial = text(a.partial);
    risk(a.risk);
    for (auto& f : a.findings) {
      f.path = path_text(f.path);
      for (auto* s : {&f.message, &f.evidence, &f.suggestion}) *s = text(*s);
    }
  }
  risk(r.risk);
  for (auto& reason : r.decision.reasons) reason = text(reason);
  r.auto_approve.reason = text(r.auto_approve.reason);
  r.walkthrough = text(r.walkthrough);
  for (auto& bullet : r.model_walkthrough) bullet = text(bullet);
  if (r.model) {
    for (auto& c : r.model->records) {
      for (auto* s : {&c.detail, &c.prompt, &c.answer}) *s = text(*s);
    }
  }
}

}  // namespace reviewer
