#include "subagents/intent/declared_kind.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include "reviewer/core/revert_text.h"
#include "subagents/intent/text.h"

namespace reviewer::intent {

namespace {

const RE2& conventional_prefix() {
  // type(scope)!: subject   or   [type] subject
  static const RE2 re(R"(^\s*(?:([A-Za-z]{2,20})(?:\(([^()\n]{0,80})\))?!?:\s*|\[([A-Za-z]{2,20})\]\s*)(.*)$)");
  return re;
}

// "[JIRA-12] ", "ABC-123: ", "#45 " before the real subject.
const RE2& leading_refs() {
  static const RE2 re(R"(^\s*(?:\[(?:[A-Z][A-Z0-9]{1,9}-\d+|#\d+)\]:?\s*|[A-Z][A-Z0-9]{1,9}-\d+:?\s*|#\d+:?\s*)+)");
  return re;
}

bool full(const Regex& re, const std::string& text) { return re && RE2::FullMatch(text, *re); }

}  // namespace

DeclaredIntent detect_intent(const PullRequest& pr, const IntentConfig& config) {
  DeclaredIntent d;
  std::string title = pr.title;
  RE2::Replace(&title, leading_refs(), "");
  d.subject = trim(title);
  std::string type, scope, bracket, rest;
  if (RE2::FullMatch(title, conventional_prefix(), &type, &scope, &bracket, &rest)) {
    std::string t = lower(type.empty() ? bracket : type);
    std::string with_scope = scope.empty() ? t : fmt::format("{}({})", t, lower(scope));
    // "chore(deps)" is a dependency bump before it is a chore.
    for (const auto& pass : {with_scope, t}) {
      for (const auto& v : config.kinds) {
        if (d.kind.empty() && full(v.prefixes, pass)) {
          d.kind = v.kind;
          d.source = fmt::format("title prefix '{}:'", type.empty() ? bracket : type);
        }
      }
    }
    if (!d.kind.empty()) d.subject = trim(rest);
  }
  if (d.kind.empty() && starts_as_revert_title(pr.title)) {
    d.kind = "revert";
    d.source = "title 'Revert \"…\"'";
  }
  if (auto shas = reverted_shas(pr.body, 1); !shas.empty()) {
    d.reverted_sha = shas.front();
    if (d.kind.empty()) {
      d.kind = "revert";
      d.source = "body 'This reverts commit …'";
    }
  }
  if (d.kind.empty()) {
    for (const auto& v : config.kinds) {
      std::string m;
      if (search(v.title_words, d.subject, &m)) {
        d.kind = v.kind;
        d.source = fmt::format("title words '{}'", redact(trim(m), 40));
        break;
      }
    }
  }
  if (d.kind.empty()) {
    for (const auto& v : config.kinds) {
      for (const auto& label : pr.labels) {
        if (d.kind.empty() && v.labels.count(lower(trim(label)))) {
          d.kind = v.kind;
          d.source = fmt::format("label '{}'", redact(label, 40));
        }
      }
    }
  }
  // A feature or a fix of behaviour may mention a typo in passing ("feat:
  // typo-tolerant search"); only kinds that promise no behaviour change can
  // be a copy change.
  if (d.kind.empty() || d.kind == "docs" || d.kind == "fix" || d.kind == "chore" || d.kind == "style") {
    std::string m;
    if (search(config.copy_words, pr.title, &m)) {
      d.copy = true;
      d.copy_word = redact(m, 40);
    }
  }
  return d;
}

}  // namespace reviewer::intent
