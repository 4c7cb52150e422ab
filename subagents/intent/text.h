// Small text helpers over attacker-controlled strings (PR title, body, file
// names, diff lines): every function is linear in its input and never throws
// on invalid UTF-8.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reviewer/core/text.h"
#include "subagents/intent/intent_config.h"

namespace reviewer::intent {

using reviewer::code_span;  // reviewer/core/text.h
using reviewer::redact;

// The body without HTML comments (templates hide instructions in them).
std::string strip_html_comments(std::string_view s);

// Does the (possibly null) regex match anywhere in `text`? On a match,
// *match (if given) receives the matched text.
bool search(const Regex& re, std::string_view text, std::string* match = nullptr);

// Byte offset of the first match, or npos.
size_t search_at(const Regex& re, std::string_view text, std::string* match = nullptr);

// Lower-case words of letters, digits and '_' (ASCII; other bytes split).
std::vector<std::string> words(std::string_view s);

// A word reduced for loose comparison: lower case, a plural "s"/"es" and
// "ing"/"ed" endings dropped ("invoices" -> "invoice", "billing" -> "bill").
std::string stem(std::string_view word);

}  // namespace reviewer::intent
