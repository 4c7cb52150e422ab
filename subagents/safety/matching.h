// Small pieces shared by the line scanner and the PR-text scanner: how a
// matched value is judged a secret, and how text is cleaned for evidence.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>

#include "reviewer/core/finding.h"
#include "subagents/safety/rules.h"
#include "subagents/safety/secret_spans.h"

namespace reviewer::safety {

constexpr std::size_t kEvidenceContext = 60;  // bytes shown either side of a hit
constexpr std::size_t kEvidenceMax = 200;

inline re2::StringPiece piece(std::string_view s) { return re2::StringPiece(s.data(), s.size()); }

// Index of the named group "secret", or 0 (the whole match).
int secret_group(const re2::RE2& re);

enum class Verdict { secret, not_secret, bad_checksum };

// Is a matched value a credential worth reporting? (length, placeholders,
// entropy, checksum, as the rule asks)
Verdict judge_secret(const RuleSet& rules, const Rule& rule, std::string_view value);
bool plausible_secret(const RuleSet& rules, const Rule& rule, std::string_view value);

// The text with every plausible secret value (by the secret rules) replaced
// by "[REDACTED]": PR text shown as evidence may hold a pasted credential.
std::string without_secrets(const RuleSet& rules, std::string_view text);

// PR-scope rules over the title or the body ("title" / "body" in `where`):
// one finding per rule, at its first hit that passes the rule's filters.
void scan_pr_text(const RuleSet& rules, const char* where, const std::string& text, std::vector<Finding>& out);

}  // namespace reviewer::safety
