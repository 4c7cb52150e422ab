// Renders a ReviewResult for people and tools: text for the terminal, the
// JSON contract of DESIGN.md, SARIF 2.1.0 for code scanning, and the
// Markdown body the bot posts on GitHub. Pure functions of the result.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "reviewer/core/review_result.h"

namespace reviewer {

enum class Format { text, json, sarif, markdown };

std::optional<Format> parse_format(std::string_view s);

// One line per finding "path:line: severity: message [rule]", then the
// decision and its reasons.
std::string render_text(const ReviewResult& r);
nlohmann::json render_json(const ReviewResult& r);
nlohmann::json render_sarif(const ReviewResult& r);
std::string render_markdown(const ReviewResult& r);

// PR-supplied (or model) text for a comment GitHub renders: Markdown and
// HTML escaped so it cannot forge structure or a hidden marker, @mentions
// defused so it cannot ping people through the bot, newlines as spaces.
std::string markdown_escape(std::string_view s);

// The chosen format as the bytes to print (JSON pretty-printed, ending in a
// newline). JSON output escapes invalid UTF-8 instead of failing.
std::string render(const ReviewResult& r, Format f);

}  // namespace reviewer
