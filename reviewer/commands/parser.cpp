#include "reviewer/commands/parser.h"

#include <algorithm>
#include <cctype>

#include "reviewer/core/text.h"

namespace reviewer::commands {

namespace {

constexpr std::size_t kMaxText = 200;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// The first whitespace-separated word of `s` and what follows it (trimmed).
std::pair<std::string_view, std::string_view> split_word(std::string_view s) {
  s = trim(s);
  std::size_t end = 0;
  while (end < s.size() && !is_space(s[end])) ++end;
  return {s.substr(0, end), trim(s.substr(end))};
}

bool valid_finding_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

// A fence opener/closer: three or more backticks or tildes.
std::size_t fence_run(std::string_view s, char* ch) {
  if (s.empty() || (s[0] != '`' && s[0] != '~')) return 0;
  std::size_t n = 0;
  while (n < s.size() && s[n] == s[0]) ++n;
  if (n < 3) return 0;
  *ch = s[0];
  return n;
}

// Strips "@<mention>" or "@<mention>[bot]" (case-insensitive) and a
// following comma or colon; true when the line was addressed that way.
bool strip_mention(std::string_view& rest, std::string_view mention) {
  if (mention.empty() || rest.size() < mention.size() + 1 || rest[0] != '@') return false;
  if (lower(rest.substr(1, mention.size())) != lower(mention)) return false;
  std::string_view after = rest.substr(1 + mention.size());
  if (after.substr(0, 5) == "[bot]") after.remove_prefix(5);
  if (!after.empty() && (after[0] == ',' || after[0] == ':')) after.remove_prefix(1);
  if (!after.empty() && !is_space(after[0])) return false;  // a longer name
  rest = trim(after);
  return true;
}

Command classify_line(std::string_view rest, bool addressed, int line_no) {
  Command c;
  c.line = line_no;
  c.text = std::string(rest.substr(0, kMaxText));
  auto [word_raw, args] = split_word(rest);
  const std::string word = lower(word_raw);
  if (word == "/human-review") {
    auto [first, more] = split_word(args);
    if (lower(first) == "cancel") {
      c.kind = Command::Kind::human_review_cancel;
      c.reason = std::string(more.substr(0, kMaxText));
    } else {
      c.kind = Command::Kind::human_review;
      c.reason = std::string(args.substr(0, kMaxText));
    }
    return c;
  }
  if (word == "/review") {
    c.kind = args.empty() ? Command::Kind::review : Command::Kind::unknown;
    return c;
  }
  if (word == "/feedback") {
    auto [verdict, after] = split_word(args);
    auto [id, reason] = split_word(after);
    const std::string v = lower(verdict);
    if ((v == "helpful" || v == "unhelpful") && valid_finding_id(id)) {
      c.kind = Command::Kind::feedback;
      c.helpful = v == "helpful";
      c.finding_id = std::string(id);
      c.reason = std::string(reason.substr(0, kMaxText));
    }
    return c;  // unknown otherwise: ours, but unreadable
  }
  if (word == "/reviewer" || word.rfind("/reviewer-", 0) == 0 || addressed) return c;  // unknown
  c.text.clear();  // not ours
  return c;
}

}  // namespace

std::string_view to_string(Command::Kind k) {
  switch (k) {
    case Command::Kind::human_review: return "human-review";
    case Command::Kind::human_review_cancel: return "human-review cancel";
    case Command::Kind::review: return "review";
    case Command::Kind::feedback: return "feedback";
    case Command::Kind::unknown: return "unknown";
  }
  return "unknown";
}

std::vector<Command> parse_commands(std::string_view body, std::string_view bot_mention) {
  std::vector<Command> out;
  body = body.substr(0, kMaxScanBytes);
  char fence_char = 0;
  std::size_t fence_len = 0;  // > 0 while inside a fenced block
  int line_no = 0;
  std::size_t pos = 0;
  while (pos <= body.size() && out.size() < kMaxCommands) {
    std::size_t end = body.find('\n', pos);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    std::size_t indent = 0;
    bool tab = false;
    while (indent < line.size() && (line[indent] == ' ' || line[indent] == '\t')) {
      if (line[indent] == '\t') tab = true;
      ++indent;
    }
    std::string_view rest = line.substr(indent);
    if (fence_len > 0) {
      char ch = 0;
      std::size_t n = fence_run(rest, &ch);
      if (n >= fence_len && ch == fence_char && trim(rest.substr(n)).empty()) fence_len = 0;
      continue;
    }
    if (tab || indent >= 4) continue;  // indented code block
    if (std::size_t n = fence_run(rest, &fence_char)) {
      fence_len = n;
      continue;
    }
    if (rest.empty() || rest[0] == '>') continue;  // blank or quoted
    bool addressed = strip_mention(rest, bot_mention);
    if (rest.empty() || rest[0] != '/') continue;
    Command c = classify_line(trim(rest), addressed, line_no);
    if (c.kind == Command::Kind::unknown && c.text.empty()) continue;
    bool repeat = std::any_of(out.begin(), out.end(), [&](const Command& o) {
      return o.kind == c.kind && o.finding_id == c.finding_id && o.helpful == c.helpful &&
             (c.kind != Command::Kind::unknown || o.text == c.text);
    });
    if (!repeat) out.push_back(std::move(c));
  }
  return out;
}

std::string help_text() {
  return "I understand these commands, each on a line of its own (not in a quote or a code block):\n\n"
         "| command | what it does | who |\n"
         "|---|---|---|\n"
         "| `/human-review [reason]` | a person must review this PR: no automatic approval from now on, "
         "code owners are asked to review | the PR author or anyone with write access |\n"
         "| `/human-review cancel` | lifts that request | anyone with write access (not the author alone) |\n"
         "| `/review` | reviews the current head again (at most once every few minutes) | write access |\n"
         "| `/feedback helpful <finding-id>` | says a finding helped | write access |\n"
         "| `/feedback unhelpful <finding-id> [reason]` | says a finding did not help | write access |\n\n"
         "Finding ids are shown next to each finding in my review. "
         "A 👍 or 👎 reaction on one of my inline comments counts as feedback too.";
}

}  // namespace reviewer::commands
