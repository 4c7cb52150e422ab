// The commands people write in pull request comments, parsed the way Prow
// reads /hold and /lgtm: one command per line, at the start of the line
// (up to three spaces of indent, as Markdown allows for a paragraph), never
// inside a fenced or indented code block or a `>` quote. Comment bodies are
// attacker-controlled text: parsing is linear, bounded (kMaxScanBytes,
// kMaxCommands) and never throws.
//
//   /human-review [reason]                 ask for a person's review; no auto-approval from now on
//   /human-review cancel                   lift it (write access, see actions.h)
//   /review                                re-run the review on the current head
//   /feedback helpful <finding-id>
//   /feedback unhelpful <finding-id> [reason]
//
// Anything else that is clearly addressed to this bot (`/reviewer ...`, a
// line starting with an @-mention of the bot followed by a command, or one
// of our command words with arguments we cannot read) becomes
// Kind::unknown, which earns a help reply. Other bots' commands (/lgtm,
// /hold, /assign ...) are not ours and are ignored.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace reviewer::commands {

inline constexpr std::size_t kMaxScanBytes = 64 * 1024;
inline constexpr std::size_t kMaxCommands = 10;

struct Command {
  enum class Kind { human_review, human_review_cancel, review, feedback, unknown };
  Kind kind = Kind::unknown;
  std::string text;        // the command line as written (trimmed, at most 200 bytes)
  int line = 0;            // 1-based line in the comment
  // feedback only
  bool helpful = false;
  std::string finding_id;
  std::string reason;      // feedback or human-review: the free text after the arguments
};

std::string_view to_string(Command::Kind k);

// `bot_mention` is the bot's @-name without the [bot] suffix ("reviewer" for
// "reviewer[bot]"); empty disables mention addressing. Commands come back in
// the order written; an exact repeat of an earlier command is dropped.
std::vector<Command> parse_commands(std::string_view body, std::string_view bot_mention = {});

// The help reply's Markdown.
std::string help_text();

}  // namespace reviewer::commands
