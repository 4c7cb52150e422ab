#include "subagents/safety/scanner.h"

#include <algorithm>
#include <cctype>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <iterator>
#include <optional>
#include <span>
#include <string_view>
#include <tuple>

#include <fmt/format.h>
#include <re2/re2.h>

#include "reviewer/core/error.h"
#include "reviewer/core/two_threads.h"
#include "subagents/safety/deobfuscate.h"
#include "subagents/safety/hidden_secrets.h"
#include "subagents/safety/hosts.h"
#include "subagents/safety/matching.h"
#include "subagents/safety/prefilter.h"
#include "subagents/safety/secret_checks.h"

namespace reviewer::safety {

namespace {

// Prefilter granularity: a candidate's own regex re-reads its whole block,
// and in real code the atoms of the hidden-text rules (`message`, `note`,
// `approve`) occur every few kilobytes; 4 KB blocks made git.git's tree
// sieved by atoms cost 50-57 ns a byte against 71-81 with 16 KB.
constexpr std::size_t kBlockBytes = 4 * 1024;

// A file's added lines joined by '\n', with where each line starts. The
// text is the file's own buffer when the lines lie there one after the
// other, each followed by its '\n' (a new file: 57 MB of an import are not
// copied again), else a joined copy.
struct LineText {
  std::vector<std::size_t> starts;
  std::vector<int> numbers;  // new-side line numbers

  std::string_view text() const { return in_file_ ? std::string_view(in_file_, in_file_size_) : std::string_view(own_); }
  std::size_t line_of(std::size_t offset) const {
    return static_cast<std::size_t>(std::upper_bound(starts.begin(), starts.end(), offset) - starts.begin()) - 1;
  }
  std::string_view line(std::size_t i) const {
    std::size_t end = i + 1 < starts.size() ? starts[i + 1] - 1 : text().size();
    return text().substr(starts[i], end - starts[i]);
  }

  friend LineText join_lines(const FileDiff& fd, bool with_context);

 private:
  std::string own_;                  // the joined copy, when one was needed
  const char* in_file_ = nullptr;    // else the text in the file's buffer
  std::size_t in_file_size_ = 0;
};

// True when a binary file's name says image, font, audio, video or PDF and
// its first bytes carry that format's signature. Such files are left alone;
// any other binary, or one whose bytes belie its name (text with a NUL byte
// in it, an executable called logo.png), is reported, as it could hold what
// no line rule read.
bool inert_media(std::string_view path, std::string_view head) {
  const auto dot = path.rfind('.');
  if (dot == std::string_view::npos || path.find('/', dot) != std::string_view::npos) return false;
  std::string ext(path.substr(dot + 1));
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  auto starts = [&](std::string_view sig, std::size_t at = 0) { return head.size() >= at + sig.size() && head.substr(at, sig.size()) == sig; };
  using namespace std::string_view_literals;
  if (ext == "png") return starts("\x89PNG\r\n\x1a\n"sv);
  if (ext == "jpg" || ext == "jpeg") return starts("\xff\xd8\xff"sv);
  if (ext == "gif") return starts("GIF87a"sv) || starts("GIF89a"sv);
  if (ext == "ico") return starts("\0\0\1\0"sv) || starts("\0\0\2\0"sv);
  if (ext == "bmp") return starts("BM"sv);
  if (ext == "webp") return starts("RIFF"sv) && starts("WEBP"sv, 8);
  if (ext == "wav") return starts("RIFF"sv) && starts("WAVE"sv, 8);
  if (ext == "woff") return starts("wOFF"sv);
  if (ext == "woff2") return starts("wOF2"sv);
  if (ext == "ttf") return starts("\0\1\0\0"sv) || starts("true"sv);
  if (ext == "otf") return starts("OTTO"sv);
  if (ext == "pdf") return starts("%PDF-"sv);
  if (ext == "ogg") return starts("OggS"sv);
  if (ext == "mp3") return starts("ID3"sv) || starts("\xff\xfb"sv) || starts("\xff\xf3"sv) || starts("\xff\xf2"sv);
  if (ext == "mp4") return starts("ftyp"sv, 4);
  return false;
}

LineText join_lines(const FileDiff& fd, bool with_context) {
  LineText t;
  const std::string_view buffer = fd.text ? std::string_view(*fd.text) : std::string_view();
  // Inside the buffer with its '\n' after it: lines that follow each other
  // there are already joined.
  auto in_buffer = [&](std::string_view c) {
    return !buffer.empty() && c.data() >= buffer.data() && c.data() + c.size() < buffer.data() + buffer.size() &&
           c.data()[c.size()] == '\n';
  };
  std::size_t size = 0;
  const char* run = nullptr;
  const char* run_end = nullptr;  // the '\n' after the last line
  bool one_run = true;
  for (const auto& h : fd.hunks) {
    for (const auto& l : h.lines) {
      if (l.origin == LineOrigin::deleted) continue;
      if (l.origin == LineOrigin::context && !with_context) continue;
      if (!t.starts.empty()) size += 1;
      t.starts.push_back(size);
      t.numbers.push_back(l.new_line);
      size += l.content.size();
      if (!one_run) continue;
      if (!in_buffer(l.content) || (run && l.content.data() != run_end + 1)) {
        one_run = false;
        continue;
      }
      if (!run) run = l.content.data();
      run_end = l.content.data() + l.content.size();
    }
  }
  if (one_run && run && static_cast<std::size_t>(run_end - run) == size) {
    t.in_file_ = run;
    t.in_file_size_ = size;
    return t;
  }
  t.own_.reserve(size);
  for (const auto& h : fd.hunks) {
    for (const auto& l : h.lines) {
      if (l.origin == LineOrigin::deleted) continue;
      if (l.origin == LineOrigin::context && !with_context) continue;
      t.own_ += l.content;
      t.own_ += '\n';
    }
  }
  if (!t.own_.empty()) t.own_.pop_back();  // no '\n' after the last line
  return t;
}

// This thread's CPU time: what a block cost, however long the thread
// waited for a core meanwhile (the agents share two).
std::chrono::nanoseconds thread_cpu() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec);
}

struct Hit {
  const Rule* rule = nullptr;
  std::size_t line = 0;             // index into LineText
  std::size_t begin = 0, end = 0;   // the match, offsets into LineText::text
  std::size_t vbegin = 0, vend = 0; // the secret value (secrets only)
};

bool overlaps(const Hit& a, const Hit& b) {
  return a.line == b.line && a.begin < b.end && b.begin < a.end;
}

class FileScanner {
 public:
  // `secrets`, when given, receives every plausible secret value any
  // secret rule finds in the added lines (for the redactor).
  FileScanner(const RuleSet& rules, const FileDiff& fd, std::vector<Finding>& out, SecretScan::File* secrets,
              SieveChoice& choice)
      : rules_(rules), fd_(fd), path_(fd.path()), out_(out), secrets_(secrets), choice_(choice),
        applies_(rules.rules.size(), -1),
        required_(rules.rules.size(), -1) {
    languages_ = rules.languages_of(path_);
    is_test_ = rules.test_paths.matches(path_);
    // The sieves leave out the rules bound to some paths: this file runs
    // those that take its path on every block.
    if (rules.line_set) {
      for (int e : rules.line_set->path_bound) {
        if (applies(rules.rules[static_cast<std::size_t>(rules.line_set->entries[static_cast<std::size_t>(e)].first)])) {
          bound_.push_back(e);
        }
      }
    }
  }

  void run() {
    file_facts();
    if (fd_.kind == ChangeKind::deleted || fd_.binary || fd_.submodule) return;
    lines_ = join_lines(fd_, false);
    if (lines_.starts.empty()) {
      if (secrets_) secrets_->scanned = true;  // no added line to find one in
      return;
    }
    // A symlink's one "line" is its target, judged by the file rules above;
    // the secret rules still read it (a token can be a link's target).
    line_rules(fd_.symlink);
    if (!fd_.symlink) {
      decoded_rules();
      hidden_secrets();
    }
    if (secrets_) secrets_->scanned = true;
  }

 private:
  // Asked per rule by file_facts and per candidate of every block: the
  // path's globs are matched once per file and rule.
  bool applies(const Rule& r) const {
    signed char& known = applies_[static_cast<std::size_t>(&r - rules_.rules.data())];
    if (known < 0) known = path_takes(r) ? 1 : 0;
    return known != 0;
  }

  bool path_takes(const Rule& r) const {
    if (r.languages != 0 && (r.languages & languages_) == 0) return false;
    if (!r.paths.empty() && !r.paths.matches(path_)) return false;
    if (!r.exclude_paths.empty() && r.exclude_paths.matches(path_)) return false;
    // Generated and vendored files get every rule: whatever the guidance
    // or .gitattributes call them, they run or ship like the author's code,
    // and a label must not be a place to hide a change.
    return true;
  }

  // A test's hand-made token (no issuer's claim) is a fixture, not a
  // credential, when the rule says so (`in_tests: issued-jwt`).
  bool fixture_passes(const Rule& r, std::string_view value) const {
    return !(r.issued_jwt_in_tests && is_test_ && !jwt_issued(value));
  }

  Severity severity(const Rule& r) const {
    if (r.kind == RuleKind::code && is_test_) return std::min(r.severity, rules_.test_severity);
    if (check_elsewhere(r)) return std::min(r.severity, Severity::warning);
    return r.severity;
  }

  // A rule with `unless_file` says "no check anywhere in the file", which
  // only a file shown whole (added) can tell. A file shown in part, or a
  // shown line that looks like such a check, makes its finding a warning
  // for a person to confirm, never silence: text in the pull request (a
  // comment naming a check, an unused import) cannot take a finding away.
  bool check_elsewhere(const Rule& r) const {
    return r.unless_file &&
           (fd_.kind != ChangeKind::added || required_[static_cast<std::size_t>(&r - rules_.rules.data())] == 2);
  }

  Finding finding(const Rule& r, int line, std::string evidence) const {
    Finding f;
    f.rule = r.name;
    f.severity = severity(r);
    f.path = path_;
    f.line = line;
    f.end_line = line;
    f.message = r.message + " " + r.why;
    if (check_elsewhere(r) && f.severity < r.severity) {
      f.message += " The file may check this elsewhere (a part not shown, or a line that looks like a check): "
                   "confirm that check covers this line.";
    }
    f.evidence = std::move(evidence);
    f.suggestion = r.fix;
    f.shadow = r.shadow;
    return f;
  }

  std::string symlink_target() const {
    for (const auto& h : fd_.hunks) {
      for (const auto& l : h.lines) {
        if (l.origin == LineOrigin::added) return std::string(l.content);
      }
    }
    return {};
  }

  void file_facts() {
    const bool gone = fd_.kind == ChangeKind::deleted;
    const bool arrived = fd_.kind == ChangeKind::added || fd_.kind == ChangeKind::renamed ||
                         fd_.kind == ChangeKind::copied;
    std::string target = fd_.symlink && !gone ? symlink_target() : std::string();
    const bool outside = fd_.symlink && !gone && symlink_escapes(path_, target);
    bool outside_rule = false;
    for (const auto& r : rules_.rules) {
      outside_rule |= r.trigger == Trigger::symlink_outside && applies(r);
    }
    for (const auto& r : rules_.rules) {
      if (r.trigger == Trigger::line || !applies(r)) continue;
      bool fire = false;
      std::string evidence;  // the path's, unless the trigger shows more
      switch (r.trigger) {
        case Trigger::line: break;
        case Trigger::added: fire = arrived; break;
        case Trigger::deleted: fire = gone; break;
        case Trigger::executable:
          fire = !gone && !fd_.symlink && fd_.new_mode == 0100755 &&
                 (fd_.kind == ChangeKind::added || fd_.old_mode != 0100755);
          if (fire) evidence = fmt::format("mode {:o} -> {:o}", fd_.old_mode, fd_.new_mode);
          break;
        case Trigger::symlink:
        case Trigger::symlink_outside:
          fire = fd_.symlink && !gone &&
                 (r.trigger == Trigger::symlink_outside ? outside : !(outside && outside_rule));
          if (fire) evidence = "-> " + printable_excerpt(target, kEvidenceMax);
          break;
        case Trigger::binary:
          fire = fd_.binary && !gone && !fd_.submodule && !inert_media(path_, fd_.new_prefix);
          if (fire) {
            evidence = fmt::format("{} ({})", printable_excerpt(path_, kEvidenceMax),
                                   fd_.kind == ChangeKind::added ? "added" : "changed");
          }
          break;
        case Trigger::submodule:
          fire = fd_.submodule && !gone;
          if (fire) evidence = fmt::format("{} -> {}", fd_.old_id.empty() ? "(new)" : fd_.old_id.substr(0, 12),
                                           fd_.new_id.substr(0, 12));
          break;
        case Trigger::host_moved:
          if (auto moved = gone || fd_.binary ? std::nullopt : moved_host(fd_)) {
            fire = true;
            evidence = printable_excerpt(*moved, kEvidenceMax);
          }
          break;
      }
      if (fire) out_.push_back(finding(r, 0, evidence.empty() ? printable_excerpt(path_, kEvidenceMax) : std::move(evidence)));
    }
  }

  // Matches of one pattern of one rule, filtered; at most the cap per file.
  void collect(const Rule& rule, const re2::RE2& re, std::size_t begin, std::size_t end, std::vector<Hit>& hits,
               int& budget) {
    const int group = secret_group(re);
    std::vector<re2::StringPiece> groups(static_cast<std::size_t>(group) + 1);
    const std::string_view text = lines_.text();
    std::size_t pos = begin;
    // `unless` is judged once per line, however many hits the line holds
    // (a 10 MB line must not be re-scanned per hit).
    std::size_t unless_line = static_cast<std::size_t>(-1);
    bool unless_hit = false;
    while (budget > 0 && pos <= end &&
           re.Match(piece(text), pos, end, re2::RE2::UNANCHORED, groups.data(),
                    static_cast<int>(groups.size()))) {
      Hit h;
      h.rule = &rule;
      h.begin = static_cast<std::size_t>(groups[0].data() - text.data());
      h.end = h.begin + groups[0].size();
      pos = h.end > h.begin ? h.end : h.begin + 1;
      re2::StringPiece value = group > 0 && groups[static_cast<std::size_t>(group)].data() != nullptr
                                   ? groups[static_cast<std::size_t>(group)]
                                   : groups[0];
      h.vbegin = static_cast<std::size_t>(value.data() - text.data());
      h.vend = h.vbegin + value.size();
      h.line = lines_.line_of(h.begin);
      if (rule.unless && rule.unless_on_match) {
        if (re2::RE2::PartialMatch(groups[0], rule.unless->get())) continue;
      } else if (rule.unless) {
        if (h.line != unless_line) {
          unless_line = h.line;
          unless_hit = re2::RE2::PartialMatch(piece(lines_.line(h.line)), rule.unless->get());
        }
        if (unless_hit) continue;
      }
      if (rule.then && !then_holds(rule, h)) continue;
      if ((rule.unless_next || rule.unless_above) && neighbour_cancels(rule, h)) continue;
      if (rule.parent && !parent_holds(rule, h)) continue;
      if (rule.kind == RuleKind::secret) {
        const std::string_view value = std::string_view(text).substr(h.vbegin, h.vend - h.vbegin);
        auto verdict = judge_secret(rules_, rule, value);
        // A value in a known format that fails its checksum is not a token
        // (a made-up or mangled one): no generic rule reports it either.
        if (verdict == Verdict::bad_checksum) claimed_.push_back(h);
        if (verdict != Verdict::secret || !fixture_passes(rule, value)) continue;
        if (data_uri_(lines_.line(h.line), h.vbegin - lines_.starts[h.line])) continue;
      }
      hits.push_back(h);
      --budget;
      if (rule.once) budget = 0;
    }
  }

  // What the redactor would learn from this pattern in the block: every
  // plausible value, whether or not the rule applies to this file or has
  // reported enough already. Returns whether the pattern matched in the
  // block at all: if not, collect() would find nothing there either.
  bool record_secrets(const Rule& rule, const re2::RE2& re, std::size_t begin, std::size_t end) {
    const auto block = lines_.text().substr(begin, end - begin);
    bool matched = false;
    for (const auto& span : secret_spans_of(rules_, rule, re, block, &matched)) {
      if (secrets_->values.size() >= SecretScan::kMaxValues) break;
      std::string value(block.substr(span.begin, span.end - span.begin));
      auto same = [&](const auto& v) { return v.first == value && v.second == rule.name; };
      if (std::none_of(secrets_->values.begin(), secrets_->values.end(), same)) {
        secrets_->values.emplace_back(std::move(value), rule.name);
      }
    }
    return matched;
  }

  // A rule's `then`: a hit that runs to the end of its line (trailing
  // blanks aside) counts only when the next shown line (added or context,
  // the new-side line after it) matches; one not shown keeps the hit.
  // Blank lines, comment lines and one-line log calls between them are
  // passed over (at most kThenSkip of them): a line that matches `then`
  // itself decides first, so passing over lines only keeps more hits.
  // A hit in a comment line is read on in the comment: the comment lines
  // after it are what it is followed by, and only blank lines (or a
  // comment marker alone) are passed over (a key commented out in a values
  // file, its body elided: `# ...`).
  static constexpr int kThenSkip = 6;
  bool then_holds(const Rule& r, const Hit& h) {
    const std::string_view text = lines_.text();
    const std::string_view line = lines_.line(h.line);
    const std::size_t line_end = lines_.starts[h.line] + line.size();
    if (text.substr(h.end, line_end - h.end).find_first_not_of(" \t\r") != std::string_view::npos) return true;
    return then_follows(r, h.line, h.line);
  }
  // The same after a hit that ends reading `last` (an added line's index;
  // a reading's last line), `first` being the line the hit starts on.
  bool then_follows(const Rule& r, std::size_t first, std::size_t last) {
    static const re2::RE2 comment(R"re(^\s*(?://|#|/\*|\*|--\s))re");
    static const re2::RE2 blank(R"re(^\s*(?://+|#+|/?\*+|--|;+)?\s*$)re");  // or a comment marker alone
    const re2::RE2& passed_over = re2::RE2::PartialMatch(piece(lines_.line(first)), comment) ? blank : skippable();
    if (!visible_) visible_ = join_lines(fd_, true);
    const auto& nums = visible_->numbers;
    const int after = lines_.numbers[last] + 1;
    auto it = std::lower_bound(nums.begin(), nums.end(), after);
    for (int skipped = 0;; ++skipped, ++it) {
      if (it == nums.end() || *it != after + skipped) return true;
      const auto next = piece(visible_->line(static_cast<std::size_t>(it - nums.begin())));
      if (re2::RE2::PartialMatch(next, r.then->get())) return !r.then_added || added_or_replaced(first, *it);
      if (skipped >= kThenSkip || !re2::RE2::PartialMatch(next, passed_over)) return false;
    }
  }

  static const re2::RE2& skippable() {
    static const re2::RE2 re(
        R"re(^\s*(?:$|//|#|/\*|\*|--\s)|^\s*(?:(?:this|self)\.)?(?:console|_?log|_?logger|logging|slog|Log|LOG|LOGGER|Logger|fmt|System\.(?:out|err))\s*\.\s*\w+\s*\([^\n]*\)\s*;?\s*$)re");
    return re;
  }

  // `then_added`: the `then` line (new-side number `then_line`) is added,
  // or the hit's line replaces a deleted line (a deleted line in the run of
  // changed lines around it): an if the change puts in front of code that
  // ran before, unconditionally, narrows it.
  bool added_or_replaced(std::size_t hit_line, int then_line) const {
    if (std::binary_search(lines_.numbers.begin(), lines_.numbers.end(), then_line)) return true;
    const int own = lines_.numbers[hit_line];
    for (const auto& hunk : fd_.hunks) {
      const auto& ls = hunk.lines;
      for (std::size_t i = 0; i < ls.size(); ++i) {
        if (ls[i].origin != LineOrigin::added || ls[i].new_line != own) continue;
        for (std::size_t j = i; j-- > 0 && ls[j].origin != LineOrigin::context;) {
          if (ls[j].origin == LineOrigin::deleted) return true;
        }
        for (std::size_t j = i + 1; j < ls.size() && ls[j].origin != LineOrigin::context; ++j) {
          if (ls[j].origin == LineOrigin::deleted) return true;
        }
        return false;
      }
    }
    return true;  // not found: keep the hit
  }

  // `unless_next` / `unless_above`: the first shown code line among the
  // kThenSkip + 1 shown lines after the hit's, or a code line among the
  // kThenSkip shown lines above it in a row (blank, comment and one-line
  // log lines passed over, never matched), matching cancels it.
  bool neighbour_cancels(const Rule& r, const Hit& h) {
    if (!visible_) visible_ = join_lines(fd_, true);
    const auto& nums = visible_->numbers;
    const int own = lines_.numbers[h.line];
    const auto at = std::lower_bound(nums.begin(), nums.end(), own);
    if (at == nums.end() || *at != own) return false;
    const auto index = static_cast<std::size_t>(at - nums.begin());
    auto code = [&](std::size_t i) { return !re2::RE2::PartialMatch(piece(visible_->line(i)), skippable()); };
    if (r.unless_next) {
      for (std::size_t i = index + 1, n = 0; i < nums.size() && nums[i] == own + static_cast<int>(n) + 1 && n <= kThenSkip; ++i, ++n) {
        if (!code(i)) continue;
        if (re2::RE2::PartialMatch(piece(visible_->line(i)), r.unless_next->get())) return true;
        break;
      }
    }
    if (r.unless_above) {
      for (std::size_t i = index, n = 0; i-- > 0 && nums[i] == own - static_cast<int>(n) - 1 && n < kThenSkip; ++n) {
        if (code(i) && re2::RE2::PartialMatch(piece(visible_->line(i)), r.unless_above->get())) return true;
      }
    }
    return false;
  }

  // A rule's `parent`: the hit's YAML parent key, the nearest shown line
  // above it with less indentation (blank and comment lines passed over),
  // must match. A line above that the diff does not show keeps the hit
  // (the parent is unknown); a hit with no line above it at a smaller
  // indentation has no parent and does not count.
  static constexpr int kParentWalk = 200;
  bool parent_holds(const Rule& r, const Hit& h) {
    auto indent = [](std::string_view l) {
      const auto n = l.find_first_not_of(" \t");
      return n == std::string_view::npos ? l.size() : n;
    };
    const std::size_t own = indent(lines_.line(h.line));
    if (own == 0) return false;
    if (!visible_) visible_ = join_lines(fd_, true);
    const auto& nums = visible_->numbers;
    auto it = std::lower_bound(nums.begin(), nums.end(), lines_.numbers[h.line]);
    if (it == nums.end() || *it != lines_.numbers[h.line]) return true;
    for (int walked = 0; walked < kParentWalk; ++walked) {
      if (it == nums.begin()) return *it > 1;  // the file's first lines not shown: unknown
      const auto prev = std::prev(it);
      if (*prev + 1 != *it) return true;  // a gap: the parent may be in it
      it = prev;
      const std::string_view l = visible_->line(static_cast<std::size_t>(it - nums.begin()));
      const std::size_t n = indent(l);
      if (n == l.size() || l[n] == '#') continue;
      if (n < own) return re2::RE2::PartialMatch(piece(l), r.parent->get());
    }
    return true;
  }

  // Whether the file's visible text holds what rule `ri` requires; judged
  // once per rule and file (it reads the whole file, and the rule may be a
  // candidate in every block: re-reading it each time made a file of such
  // blocks quadratic).
  // `unless_file` is not a requirement: a hit on any shown line (what looks
  // like a check made elsewhere in the file) is remembered (2) and lowers
  // the finding to a warning (check_elsewhere).
  bool requirement_met(const Rule& r) {
    if (!r.requires_ && !r.unless_file) return true;
    signed char& known = required_[static_cast<std::size_t>(&r - rules_.rules.data())];
    if (known < 0) {
      if (!visible_) visible_ = join_lines(fd_, true);
      const auto text = piece(visible_->text());
      const bool met = !r.requires_ || re2::RE2::PartialMatch(text, r.requires_->get());
      known = !met ? 0 : r.unless_file && re2::RE2::PartialMatch(text, r.unless_file->get()) ? 2 : 1;
    }
    return known >= 1;
  }

  void line_rules(bool secrets_only = false) {
    std::vector<Hit> secrets, others;
    std::vector<int> budget(rules_.rules.size(), -1);
    // The prefilter runs over blocks of whole lines, so a rule it reports is
    // re-run on that block only, not on the whole file. Patterns never match
    // a newline, so no hit spans two blocks.
    const std::size_t n = lines_.starts.size();
    for (std::size_t first_line = 0; first_line < n;) {
      const std::size_t begin_line = first_line;
      const std::size_t begin = lines_.starts[first_line];
      std::size_t next = first_line + 1;
      while (next < n && lines_.starts[next] - begin < kBlockBytes) ++next;
      const std::size_t end = next < n ? lines_.starts[next] - 1 : lines_.text().size();
      first_line = next;
      const bool timed = choice_.timing();
      const auto started = timed ? thread_cpu() : std::chrono::nanoseconds{};
      const Sieve sieve = choice_.next(end - begin);
      std::vector<int> candidates = rules_.line_set->candidates(lines_.text().substr(begin, end - begin), false, sieve);
      if (rules_.has_decoded) {
        const bool hint = std::any_of(candidates.begin(), candidates.end(), [&](int c) {
          return rules_.rules[static_cast<std::size_t>(rules_.line_set->entries[static_cast<std::size_t>(c)].first)].decoded;
        });
        decoded_hint_.resize(next, 0);
        std::fill(decoded_hint_.begin() + static_cast<std::ptrdiff_t>(begin_line), decoded_hint_.end(), hint ? 1 : 0);
      }
      if (!bound_.empty()) {
        std::vector<int> both;
        std::set_union(candidates.begin(), candidates.end(), bound_.begin(), bound_.end(), std::back_inserter(both));
        candidates.swap(both);
      }
      // Where each candidate's regex runs: the whole block, or (when the
      // atoms named many that would run) only the pieces of it whose own
      // sieve names it again.
      const std::vector<Piece> pieces =
          sieve == Sieve::atoms ? narrowed(begin_line, next, candidates, budget, secrets_only) : std::vector<Piece>{};
      for (int c : candidates) {
        if (pieces.empty() || std::binary_search(bound_.begin(), bound_.end(), c)) {
          run_candidate(c, begin, end, budget, secrets_only, secrets, others);
          continue;
        }
        for (const Piece& p : pieces) {
          if (std::binary_search(p.candidates.begin(), p.candidates.end(), c)) {
            run_candidate(c, p.begin, p.end, budget, secrets_only, secrets, others);
          }
        }
      }
      if (timed) choice_.cost(sieve, end - begin, thread_cpu() - started);
    }
    report(secrets, others);
  }

  // One candidate entry's regex over [begin, end) of the added lines (whole
  // lines): the redactor's values, then the rule's hits.
  void run_candidate(int c, std::size_t begin, std::size_t end, std::vector<int>& budget, bool secrets_only,
                     std::vector<Hit>& secrets, std::vector<Hit>& others) {
    auto [ri, pi] = rules_.line_set->entries[static_cast<std::size_t>(c)];
    const Rule& rule = rules_.rules[static_cast<std::size_t>(ri)];
    // A secret pattern the redactor's pass did not find in the block
    // is not run again over it (one pass of its regex, not two).
    if (secrets_ && rule.kind == RuleKind::secret &&
        !record_secrets(rule, rule.line_patterns[static_cast<std::size_t>(pi)]->get(), begin, end)) {
      return;
    }
    int& left = budget[static_cast<std::size_t>(ri)];
    if (!runs(rule, left, secrets_only)) return;
    if (left < 0) left = rule.once ? 1 : rules_.max_per_rule_per_file;
    std::vector<Hit> found;
    collect(rule, rule.line_patterns[static_cast<std::size_t>(pi)]->get(), begin, end, found, left);
    keep(rule, found, secrets, others);
  }

  // Whether a rule's regex looks for hits here (a secret rule's also runs
  // for the redactor's values whatever this says).
  bool runs(const Rule& rule, int left, bool secrets_only) {
    return rule.on_lines && left != 0 && !(secrets_only && rule.kind != RuleKind::secret) && applies(rule) &&
           requirement_met(rule);
  }

  // A piece of a block: whole lines, and the candidates its own sieve names.
  struct Piece {
    std::size_t begin = 0, end = 0;
    std::vector<int> candidates;
  };

  // A block's pieces when the atoms named at least kNarrowAt candidates that
  // would run a regex over it, else none (the block is read whole). In real
  // code the atoms of dozens of rules occur in every 4 KB block (git.git's
  // tree: 137 atoms, 59 candidates a block), each candidate's regex then
  // re-reading the whole block; sieved again in pieces of about kPieceBytes,
  // a candidate runs only on the pieces that name it. The same hits: a
  // pattern never matches a newline, pieces are whole lines read in order,
  // and a piece's sieve keeps every pattern that matches in it.
  static constexpr std::size_t kNarrowAt = 8, kPieceBytes = 512;
  std::vector<Piece> narrowed(std::size_t first, std::size_t last, const std::vector<int>& candidates,
                              const std::vector<int>& budget, bool secrets_only) {
    std::size_t running = 0;
    for (int c : candidates) {
      if (std::binary_search(bound_.begin(), bound_.end(), c)) continue;
      const auto ri = static_cast<std::size_t>(rules_.line_set->entries[static_cast<std::size_t>(c)].first);
      const Rule& rule = rules_.rules[ri];
      if ((secrets_ && rule.kind == RuleKind::secret) || runs(rule, budget[ri], secrets_only)) ++running;
    }
    std::vector<Piece> pieces;
    if (running < kNarrowAt || last - first < 2) return pieces;
    for (std::size_t line = first; line < last;) {
      Piece p;
      p.begin = lines_.starts[line];
      std::size_t next = line + 1;
      while (next < last && lines_.starts[next] - p.begin < kPieceBytes) ++next;
      p.end = next < lines_.starts.size() ? lines_.starts[next] - 1 : lines_.text().size();
      p.candidates = rules_.line_set->candidates(lines_.text().substr(p.begin, p.end - p.begin), false, Sieve::atoms);
      pieces.push_back(std::move(p));
      line = next;
    }
    return pieces;
  }

  // The rules marked `decoded` once more, on the added lines de-obfuscated
  // (deobfuscate.h): each run of comment lines (or a prose file's
  // paragraph) joined into one line, and each other line that decoding
  // changes. Lines with nothing to decode are not read again. One finding
  // per rule and file, and none for a rule the plain text already fired.
  void decoded_rules() {
    if (!rules_.has_decoded) return;
    std::string text;
    std::vector<std::size_t> starts;
    std::vector<int> numbers;  // the new-side line each joined line starts at
    auto add = [&](std::string unit, int number) {
      if (!text.empty()) text += '\n';
      starts.push_back(text.size());
      numbers.push_back(number);
      text += unit;
    };
    // Readings beside a unit's: its accents folded, and rot13 decoded where
    // the text names it. A unit read as it is, too (`source`): its accented
    // letters were read by the plain scan.
    // (rot13 is looked for in the text before folding: prose reads "rot13" as leetspeak.)
    auto add_more = [&](std::string_view unit, std::string_view source, Reading how, int number) {
      if (has_accents(unit)) add(fold_accents(unit), number);
      if (auto rotated = rot13_reading(source)) add(fold(*rotated, how), number);
    };
    // A prose file's lines are all prose; in code, comments are, and the
    // lines of a docstring or block comment over several lines.
    const bool prose_file = prose_path(path_);
    const std::size_t n = lines_.starts.size();
    std::vector<std::optional<std::string_view>> bodies(n);
    BlockReader blocks;
    for (std::size_t k = 0; k < n; ++k) {
      const std::string_view line = lines_.line(k);
      const auto in_block = blocks.next(line, k > 0 && lines_.numbers[k] == lines_.numbers[k - 1] + 1);
      bodies[k] = prose_file ? std::optional<std::string_view>(line) : in_block ? in_block : comment_body(line);
    }
    auto body_of = [&](std::size_t k) { return bodies[k]; };
    for (std::size_t i = 0; i < n;) {
      const std::string_view line = lines_.line(i);
      const auto body = body_of(i);
      // A comment run (or paragraph): consecutive lines of one hunk.
      std::size_t end = i + 1;
      if (body && !body->empty()) {
        while (end < n && lines_.numbers[end] == lines_.numbers[end - 1] + 1 && end - i < kMaxJoined) {
          const auto next = body_of(end);
          if (!next || next->find_first_not_of(" \t") == std::string_view::npos) break;
          ++end;
        }
      }
      if (end - i > 1) {
        std::string joined;
        for (std::size_t k = i; k < end; ++k) {
          if (!joined.empty()) joined += ' ';
          joined += *body_of(k);
        }
        // Joined and nothing else to decode: the atoms a decoded rule needs
        // are words, so they were in the lines' blocks, whose sieve then
        // named the rule (a rule whose atoms fall in two blocks is missed).
        // Most comment runs are not read again.
        const bool decode = foldable(joined, Reading::prose);
        const bool hinted = std::any_of(decoded_hint_.begin() + static_cast<std::ptrdiff_t>(i),
                                        decoded_hint_.begin() + static_cast<std::ptrdiff_t>(end),
                                        [](char h) { return h != 0; });
        std::string unit = decode ? fold(joined, Reading::prose) : joined;
        add_more(unit, joined, Reading::prose, lines_.numbers[i]);
        if (decode || hinted) add(std::move(unit), lines_.numbers[i]);
      } else if (body ? foldable(*body, Reading::prose) : foldable(line, Reading::code)) {
        // A comment's marker is no markdown ("* text" in a block comment).
        std::string unit = body ? fold(*body, Reading::prose) : fold(line, Reading::code);
        add_more(unit, body ? *body : line, body ? Reading::prose : Reading::code, lines_.numbers[i]);
        add(std::move(unit), lines_.numbers[i]);
      } else {
        add_more(body ? *body : line, body ? *body : line, body ? Reading::prose : Reading::code, lines_.numbers[i]);
      }
      i = end;
    }
    if (text.empty()) return;
    std::vector<const Rule*> fired;
    for (const auto& f : out_) {
      for (const auto& r : rules_.rules) {
        if (r.decoded && r.name == f.rule) fired.push_back(&r);
      }
    }
    for (int c : rules_.line_set->candidates(text, false)) {
      auto [ri, pi] = rules_.line_set->entries[static_cast<std::size_t>(c)];
      const Rule& rule = rules_.rules[static_cast<std::size_t>(ri)];
      if (!rule.decoded || !rule.on_lines || !applies(rule)) continue;
      if (std::find(fired.begin(), fired.end(), &rule) != fired.end()) continue;
      const re2::RE2& re = rule.line_patterns[static_cast<std::size_t>(pi)]->get();
      const auto hit = decoded_hit(rule, re, text, starts);
      if (!hit) continue;
      const auto [at, len, unit] = *hit;
      const std::size_t from = at > starts[unit] + kEvidenceContext ? at - kEvidenceContext : starts[unit];
      const std::size_t unit_end = unit + 1 < starts.size() ? starts[unit + 1] - 1 : text.size();
      const std::size_t to = std::min(unit_end, at + len + kEvidenceContext);
      fired.push_back(&rule);
      const std::string shown = without_secrets(rules_, std::string_view(text).substr(from, to - from));
      out_.push_back(finding(rule, numbers[unit], "decoded: " + printable_excerpt(shown, kEvidenceMax)));
    }
  }

  // The first match of one pattern of a `decoded` rule in the decoded
  // text that its `unless` does not exempt, as (offset, length, unit). The
  // unit (a decoded line, or a comment run read as one) is the line an
  // `unless` reads, once per unit; an exempted unit is skipped whole.
  static std::optional<std::tuple<std::size_t, std::size_t, std::size_t>> decoded_hit(
      const Rule& rule, const re2::RE2& re, const std::string& text, const std::vector<std::size_t>& starts) {
    re2::StringPiece m;
    for (std::size_t pos = 0;
         pos <= text.size() && re.Match(piece(text), pos, text.size(), re2::RE2::UNANCHORED, &m, 1);) {
      const auto at = static_cast<std::size_t>(m.data() - text.data());
      pos = m.empty() ? at + 1 : at + m.size();
      const auto unit =
          static_cast<std::size_t>(std::upper_bound(starts.begin(), starts.end(), at) - starts.begin()) - 1;
      if (rule.unless && rule.unless_on_match) {
        if (re2::RE2::PartialMatch(m, rule.unless->get())) continue;
      } else if (rule.unless) {
        const std::size_t unit_end = unit + 1 < starts.size() ? starts[unit + 1] - 1 : text.size();
        if (re2::RE2::PartialMatch(piece(std::string_view(text).substr(starts[unit], unit_end - starts[unit])),
                                   rule.unless->get())) {
          pos = std::max(pos, unit_end);
          continue;
        }
      }
      return std::make_tuple(at, m.size(), unit);
    }
    return std::nullopt;
  }

  // The added lines as hidden_readings() reads them.
  class Added final : public AddedLines {
   public:
    explicit Added(const LineText& t) : t_(t) {}
    std::size_t size() const override { return t_.starts.size(); }
    std::string_view line(std::size_t i) const override { return t_.line(i); }
    int number(std::size_t i) const override { return t_.numbers[i]; }

   private:
    const LineText& t_;
  };

  // Key body lines added under a private key's BEGIN line that the hunk
  // shows as context (a template's placeholder body replaced): the first
  // such line of each block, read after its BEGIN line.
  void pem_bodies(std::vector<HiddenReading>& out) const {
    std::size_t index = 0;  // of the next added line in lines_
    for (const auto& h : fd_.hunks) {
      std::string_view begin;
      for (const auto& l : h.lines) {
        if (l.origin == LineOrigin::deleted) continue;
        const bool added = l.origin == LineOrigin::added;
        const std::string_view c = l.content;
        std::size_t first = 0;  // a loop, not find_first_not_of: one call per line, not per blank
        while (first < c.size() && (c[first] == ' ' || c[first] == '\t')) ++first;
        const bool dashes = first < c.size() && c[first] == '-';
        if (dashes && pem_private_begin(c)) {
          begin = added ? std::string_view() : c;
        } else if (dashes && pem_end(c)) {
          begin = {};
        } else if (added && !begin.empty() && c.size() >= 16) {
          out.push_back(pem_body_reading(begin, c, index));
          begin = {};
        }
        if (added) ++index;
      }
    }
  }

  // The secret rules once more, over readings of the added lines that
  // decode or join what the raw lines hide (hidden_secrets.h). A value
  // counts only where its match overlaps what decoding or joining
  // produced; one finding per reading, on its first line, and none on a
  // line the plain pass already reported a secret on.
  void hidden_secrets() {
    if (!rules_.line_set) return;
    std::vector<HiddenReading> readings = hidden_readings(Added(lines_), path_);
    pem_bodies(readings);
    if (readings.empty()) return;
    std::sort(secret_lines_.begin(), secret_lines_.end());
    std::sort(plain_values_.begin(), plain_values_.end());
    std::vector<int> budget(rules_.rules.size(), rules_.max_per_rule_per_file);
    // In blocks, as the plain pass reads lines: a rule's regex re-reads
    // only the blocks whose atoms named it.
    for (std::size_t from = 0; from < readings.size();) {
      std::string text;
      std::vector<std::size_t> starts;
      std::size_t to = from;
      for (; to < readings.size() && (to == from || text.size() < kBlockBytes); ++to) {
        if (!text.empty()) text += '\n';
        starts.push_back(text.size());
        text += readings[to].text;
      }
      for (int c : rules_.line_set->candidates(text, false)) {
        auto [ri, pi] = rules_.line_set->entries[static_cast<std::size_t>(c)];
        const Rule& rule = rules_.rules[static_cast<std::size_t>(ri)];
        if (rule.kind != RuleKind::secret || !rule.on_lines || budget[static_cast<std::size_t>(ri)] <= 0 ||
            !applies(rule) || !requirement_met(rule)) {
          continue;
        }
        hidden_matches(rule, rule.line_patterns[static_cast<std::size_t>(pi)]->get(), text, starts,
                       std::span(readings).subspan(from, to - from), budget[static_cast<std::size_t>(ri)]);
      }
      from = to;
    }
  }

  // One rule's matches in a block of readings: a value counts where its
  // match overlaps what decoding or joining produced, on a line with no
  // secret finding yet.
  void hidden_matches(const Rule& rule, const re2::RE2& re, const std::string& text,
                      const std::vector<std::size_t>& starts, std::span<const HiddenReading> readings, int& budget) {
    const int group = secret_group(re);
    std::vector<re2::StringPiece> groups(static_cast<std::size_t>(group) + 1);
    std::size_t pos = 0;
    // Per reading, whether the rule's `unless` matches it: read once, not
    // once per rejected match (a reading can be a whole 10 MB line).
    std::vector<signed char> unless_hit(readings.size(), -1);
    std::vector<char> raw_remembered(readings.size(), 0);  // a reading's encoded runs, learnt once
    while (budget > 0 && pos <= text.size() &&
           re.Match(piece(text), pos, text.size(), re2::RE2::UNANCHORED, groups.data(), static_cast<int>(groups.size()))) {
      const auto begin = static_cast<std::size_t>(groups[0].data() - text.data());
      const std::size_t end = begin + groups[0].size();
      pos = end > begin ? end : begin + 1;
      const re2::StringPiece v = group > 0 && groups[static_cast<std::size_t>(group)].data() != nullptr
                                     ? groups[static_cast<std::size_t>(group)]
                                     : groups[0];
      const std::string_view value(v.data(), v.size());
      const auto k = static_cast<std::size_t>(std::upper_bound(starts.begin(), starts.end(), begin) - starts.begin()) - 1;
      const HiddenReading& r = readings[k];
      const std::size_t b = begin - starts[k], e = end - starts[k];
      // The changed ranges are in order and apart: the first that ends
      // after b is the only one that can overlap [b, e).
      const auto ch = std::lower_bound(r.changed.begin(), r.changed.end(), b,
                                       [](const auto& range, std::size_t x) { return range.second <= x; });
      if (ch == r.changed.end() || ch->first >= e) continue;
      if (rule.unless && rule.unless_on_match) {
        if (re2::RE2::PartialMatch(groups[0], rule.unless->get())) continue;
      } else if (rule.unless) {
        if (unless_hit[k] < 0) unless_hit[k] = re2::RE2::PartialMatch(piece(r.text), rule.unless->get()) ? 1 : 0;
        if (unless_hit[k] == 1) continue;
      }
      // A rule's `then` after a hit that ends its reading: judged on the
      // lines after the reading's last one (a BEGIN line read after `key: |`).
      if (rule.then && r.lines >= 1 && r.first + r.lines <= lines_.numbers.size() &&
          std::string_view(r.text).substr(e).find_first_not_of(" \t\r") == std::string_view::npos &&
          !then_follows(rule, r.first, r.first + r.lines - 1)) {
        continue;
      }
      if (judge_secret(rules_, rule, value) != Verdict::secret || !fixture_passes(rule, value)) continue;
      // Masked whether or not it is reported again here.
      remember(value, r, rule, !raw_remembered[k]);
      raw_remembered[k] = 1;
      if (std::binary_search(secret_lines_.begin(), secret_lines_.end(), r.first) || found_plainly(r, value)) {
        span_existing(r);
        continue;
      }
      secret_lines_.insert(std::upper_bound(secret_lines_.begin(), secret_lines_.end(), r.first), r.first);
      --budget;
      Finding f = finding(rule, lines_.numbers[r.first], std::string(r.how) + ": " + redact(rule.id, value));
      // A value joined over lines is on each of them: the finding spans
      // them, and the redactor masks every line a secret finding spans.
      if (r.lines > 1 && r.first + r.lines <= lines_.numbers.size()) f.end_line = lines_.numbers[r.first + r.lines - 1];
      f.message = rule.message + " It is hidden by " + std::string(r.how) + ". " + rule.why;
      out_.push_back(std::move(f));
    }
  }

  // A reading whose value the plain pass (or an earlier reading) already
  // reported on one of its lines: that finding spans the reading's lines
  // too, so the redactor masks the parts joined from the others.
  void span_existing(const HiddenReading& r) {
    if (r.lines < 2 || r.first + r.lines > lines_.numbers.size()) return;
    const int first = lines_.numbers[r.first], last = lines_.numbers[r.first + r.lines - 1];
    for (auto it = out_.rbegin(); it != out_.rend(); ++it) {
      if (it->path != path_) break;  // this file's findings are the last ones
      if (it->rule.rfind("safety/secret/", 0) == 0 && it->line >= first && it->line <= last) {
        it->end_line = std::max(it->end_line, last);
        return;
      }
    }
  }

  // Whether the plain pass reported this value (or one holding it, or a
  // part of it) on a line the reading reads: a value on the line after
  // `key: |` is the plain pass's on its own line and the reading's on the
  // key's line, and the plain finding is where the value is.
  bool found_plainly(const HiddenReading& r, std::string_view value) const {
    const auto from = std::lower_bound(plain_values_.begin(), plain_values_.end(), r.first,
                                       [](const auto& p, std::size_t line) { return p.first < line; });
    for (auto it = from; it != plain_values_.end() && it->first < r.first + r.lines; ++it) {
      const std::string_view v = it->second;
      if (!v.empty() && !value.empty() && (v.find(value) != std::string_view::npos || value.find(v) != std::string_view::npos)) {
        return true;
      }
    }
    return false;
  }

  // The redactor masks the value and its encoded forms.
  void remember(std::string_view value, const HiddenReading& r, const Rule& rule, bool with_raw = true) {
    if (!secrets_ || secrets_->values.size() >= SecretScan::kMaxValues) return;
    auto add = [&](std::string v) {
      if (secrets_->values.size() >= SecretScan::kMaxValues) return;
      auto same = [&](const auto& x) { return x.first == v && x.second == rule.name; };
      if (std::none_of(secrets_->values.begin(), secrets_->values.end(), same)) secrets_->values.emplace_back(std::move(v), rule.name);
    };
    add(std::string(value));
    if (with_raw) {
      for (const auto& raw : r.raw) add(raw);
    }
  }

  // A comment longer than this many lines is read in pieces of it (a
  // sentence spans a few lines; a licence header need not be one line).
  static constexpr std::size_t kMaxJoined = 12;

  void keep(const Rule& rule, const std::vector<Hit>& found, std::vector<Hit>& secrets, std::vector<Hit>& others) {
    for (const auto& h : found) {
      if (rule.kind != RuleKind::secret) {
        others.push_back(h);
      } else if (std::none_of(secrets.begin(), secrets.end(), [&](const Hit& s) { return overlaps(s, h); }) &&
                 std::none_of(claimed_.begin(), claimed_.end(), [&](const Hit& s) { return overlaps(s, h); })) {
        // Rules come specific first: a generic match over a span a specific
        // rule already named is the same secret.
        secrets.push_back(h);
      }
    }
  }

  void report(const std::vector<Hit>& secrets, const std::vector<Hit>& others) {
    std::vector<Finding> found;
    std::vector<std::pair<std::size_t, const Rule*>> seen;  // one finding per (line, rule)
    auto first = [&](const Hit& h) {
      if (std::find(seen.begin(), seen.end(), std::make_pair(h.line, h.rule)) != seen.end()) return false;
      seen.emplace_back(h.line, h.rule);
      return true;
    };
    for (const auto& h : secrets) {
      if (!first(h)) continue;
      std::string_view value = lines_.text().substr(h.vbegin, h.vend - h.vbegin);
      found.push_back(finding(*h.rule, lines_.numbers[h.line], redact(h.rule->id, value)));
      secret_lines_.push_back(h.line);
      plain_values_.emplace_back(h.line, value);
    }
    for (const auto& h : others) {
      if (!first(h)) continue;
      found.push_back(finding(*h.rule, lines_.numbers[h.line], excerpt(h, secrets)));
    }
    std::stable_sort(found.begin(), found.end(), [](const Finding& a, const Finding& b) { return a.line < b.line; });
    out_.insert(out_.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
  }

  // The hit with some context, any secret on the line replaced.
  std::string excerpt(const Hit& h, const std::vector<Hit>& secrets) const {
    const std::size_t ls = lines_.starts[h.line];
    const std::size_t le = ls + lines_.line(h.line).size();
    std::size_t from = h.begin > ls + kEvidenceContext ? h.begin - kEvidenceContext : ls;
    std::size_t to = std::min(le, h.end + kEvidenceContext);
    std::string shown;
    for (std::size_t i = from; i < to;) {
      auto s = std::find_if(secrets.begin(), secrets.end(), [&](const Hit& x) { return x.vbegin <= i && i < x.vend; });
      if (s != secrets.end()) {
        shown += "[REDACTED]";
        i = s->vend;
      } else {
        shown += lines_.text()[i++];
      }
    }
    std::string trimmed = shown;
    trimmed.erase(0, trimmed.find_first_not_of(" \t"));
    return printable_excerpt(trimmed, kEvidenceMax);
  }

  const RuleSet& rules_;
  const FileDiff& fd_;
  const std::string& path_;
  std::vector<Finding>& out_;
  SecretScan::File* secrets_;
  SieveChoice& choice_;
  std::uint64_t languages_ = 0;
  bool is_test_ = false;
  LineText lines_;
  std::optional<LineText> visible_;
  std::vector<Hit> claimed_;  // known-format values that failed their checksum
  DataUriCheck data_uri_;     // whether a hit is in an inline image's payload
  std::vector<std::size_t> secret_lines_;  // added lines (indices) the plain pass reported a secret on
  std::vector<std::pair<std::size_t, std::string_view>> plain_values_;  // (line, value) of each, in line order
  std::vector<char> decoded_hint_;  // per added line: its block's sieve named a `decoded` rule
  std::vector<int> bound_;     // path-bound entries whose rules apply here, sorted
  mutable std::vector<signed char> applies_;  // per rule: -1 not yet asked, else applies()
  std::vector<signed char> required_;  // per rule: -1 not judged yet, 0 not met, 1 met, 2 met with an unless_file hit
};

// Prose with each paragraph on one line: a line break between two
// non-blank lines becomes a space (markdown wraps sentences).
std::string paragraphs_joined(std::string_view text) {
  std::string out(text);
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] != '\n') continue;
    const bool cr = i > 0 && out[i - 1] == '\r';  // CRLF, as GitHub stores bodies
    const std::size_t before = cr ? i - 1 : i;
    const bool blank_before = before == 0 || out[before - 1] == '\n';
    const bool blank_after = i + 1 >= out.size() || out[i + 1] == '\n' || out[i + 1] == '\r';
    if (blank_before || blank_after) continue;
    out[i] = ' ';
    if (cr) out[i - 1] = ' ';
  }
  return out;
}

// Everything of the PR that is not an added line: the title and body, the
// commit messages (one finding per rule over all of them: a problem
// repeated in 250 commits is one problem), the branch name and each file's
// path.
void scan_outside_lines(const RuleSet& rules, const AgentContext& ctx, std::vector<Finding>& out, PatternScope* scope) {
  // Each text, then its de-obfuscated reading for the `decoded` rules (a
  // paragraph's lines joined, a name's separators read as spaces) when
  // that differs; a rule found in the first is not reported again.
  auto both = [&](const TextPosition& at, const std::string& text, std::vector<const Rule*>& reported) {
    scan_position(rules, at, text, reported, out, false, scope);
    if (!rules.has_decoded || text.empty()) return;
    std::string decoded = at.name ? name_words(text) : fold(paragraphs_joined(text), Reading::prose);
    TextPosition again = at;
    again.label += " (decoded)";
    if (decoded != text) scan_position(rules, again, decoded, reported, out, true, scope);
    // Its accents folded, and rot13 decoded where the text names it (deobfuscate.h).
    if (has_accents(decoded)) scan_position(rules, again, fold_accents(decoded), reported, out, true, scope);
    if (at.name) return;
    if (auto rotated = rot13_reading(text)) {
      scan_position(rules, again, fold(paragraphs_joined(*rotated), Reading::prose), reported, out, true, scope);
    }
  };
  auto alone = [&](const TextPosition& at, const std::string& text) {
    std::vector<const Rule*> reported;
    both(at, text, reported);
  };
  alone({"title"}, ctx.pr.title);
  alone({"body"}, ctx.pr.body);
  std::vector<const Rule*> in_commits;
  const auto& messages = ctx.pr.commit_messages;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    both({fmt::format("commit {} of {}", i + 1, messages.size())}, messages[i], in_commits);
  }
  alone({"branch", true}, ctx.pr.head_ref);
  for (const auto& fd : ctx.diff.files) {
    if (!fd.new_path.empty()) alone({"path", true, fd.new_path}, fd.new_path);
  }
}

}  // namespace

bool symlink_escapes(std::string_view link_path, std::string_view target) {
  if (target.empty()) return false;
  if (target.front() == '/' || target.front() == '~' || target.front() == '\\' ||
      (target.size() >= 2 && target[1] == ':')) {
    return true;
  }
  // Depth of the link's folder, then walk the target's segments.
  long depth = static_cast<long>(std::count(link_path.begin(), link_path.end(), '/'));
  std::size_t i = 0;
  while (i <= target.size()) {
    std::size_t j = target.find_first_of("/\\", i);
    if (j == std::string_view::npos) j = target.size();
    std::string_view seg = target.substr(i, j - i);
    if (seg == "..") {
      if (--depth < 0) return true;
    } else if (!seg.empty() && seg != ".") {
      ++depth;
    }
    i = j + 1;
  }
  return false;
}

// Below this much text (the files' buffers) the files are scanned on the
// agent's own thread: the other core is busy with the other agents, and a
// small change is read in milliseconds. An import of tens of megabytes is
// read on both cores (the set of every pattern reads about 100 MB/s).
constexpr std::size_t kBytesForTwoThreads = 4u << 20;

namespace {
std::atomic<bool> one_review_per_process{false};
}  // namespace

void set_one_review_per_process(bool one) { one_review_per_process.store(one); }

std::vector<Finding> scan(const RuleSet& rules, const AgentContext& ctx) {
  // The PR's other texts first, with their patterns compiled for this scan
  // alone when the process reviews only this change: freed before the
  // files are read, their memory is the file scan's (the peak of a review
  // is the end of this agent's scan). Their findings still come last.
  std::vector<Finding> outside;
  {
    std::optional<PatternScope> scope;
    if (one_review_per_process.load()) scope.emplace();
    scan_outside_lines(rules, ctx, outside, scope ? &*scope : nullptr);
  }
  const auto& files = ctx.diff.files;
  SecretScan* secrets = ctx.secret_scan.get();
  if (secrets) {
    secrets->rules_version = rules.version;
    secrets->files.assign(files.size(), {});
  }
  std::size_t bytes = 0;
  for (const auto& fd : files) bytes += fd.text ? fd.text->size() : 0;
  // Each file's findings go to a slot of their own, joined in file order:
  // the findings of one thread, whichever thread read which file.
  std::vector<std::vector<Finding>> found(files.size());
  std::atomic<std::size_t> done{0};
  SieveChoice choice(bytes);  // this change's own: its text, not another's, decides
  on_two_threads(files.size(), bytes >= kBytesForTwoThreads, [&](std::size_t i, int) {
    if (ctx.deadline.expired()) {
      throw Error(Error::Code::timeout,
                  fmt::format("safety: deadline passed after {} of {} files", done.load(), files.size()));
    }
    FileScanner(rules, files[i], found[i], secrets ? &secrets->files[i] : nullptr, choice).run();
    done.fetch_add(1);
  });
  std::vector<Finding> out;
  for (auto& f : found) out.insert(out.end(), std::make_move_iterator(f.begin()), std::make_move_iterator(f.end()));
  out.insert(out.end(), std::make_move_iterator(outside.begin()), std::make_move_iterator(outside.end()));
  return out;
}

}  // namespace reviewer::safety
