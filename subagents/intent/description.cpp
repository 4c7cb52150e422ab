// Description quality: can a reviewer tell what the PR does and why?
#include <algorithm>

#include <fmt/format.h>
#include <re2/re2.h>

#include "subagents/intent/checks.h"
#include "subagents/intent/rules.h"
#include "subagents/intent/text.h"

namespace reviewer::intent {

namespace {

// The parts of a body that a template does not write for the author.
struct BodyText {
  std::string visible;     // without HTML comments
  std::string prose;       // visible, minus headings and checklist lines
  int checked = 0, unchecked = 0;
  std::string first_unchecked;
  // The prose under each heading that asks for the reason ("### What does
  // this PR try to resolve?", "## Motivation", "**Why**", "Context:").
  std::vector<std::string> why_sections;
};

// A line in bold alone ("**Motivation**", "**Why:**", "**What does this PR
// do?**") is a heading too; a bold sentence ("**This fixes the crash on an
// empty cache.**") is the author's words, said loudly.
bool bold_heading(std::string_view t) {
  if (t.size() < 5 || t.size() > 80 || !(t.starts_with("**") || t.starts_with("__"))) return false;
  if (t.ends_with(":")) t.remove_suffix(1);
  if (!(t.ends_with("**") || t.ends_with("__"))) return false;
  std::string_view inner = trim(t.substr(2, t.size() - 4));
  if (inner.ends_with(":")) inner.remove_suffix(1);
  if (inner.empty()) return false;
  // A template's bold prompt ("**Describe the motivation for this change.**")
  // asks; it says nothing of the author's.
  static const RE2 kPrompt(R"((?i)^(?:please\s+)?(?:describe|explain|provide|list|include|summari[sz]e|link|add|give|tell|state|mention|fill)\b)");
  if (RE2::PartialMatch(inner, kPrompt)) return true;
  if (inner.ends_with(".") || inner.ends_with("!")) return false;
  return std::count(inner.begin(), inner.end(), ' ') < 8;  // at most eight words
}

// A git trailer naming people or tooling ("Signed-off-by: …", "Co-authored-by:
// …", "Change-Id: …") says nothing about the change: a body of trailers alone
// is an empty description. "Fixes: #12" and "Refs: …" are not in the list:
// they name the reason.
bool people_trailer(std::string_view t) {
  static const RE2 kTrailer(
      R"((?i)^(?:signed-off-by|co-authored-by|co-developed-by|reviewed-by|acked-by|tested-by|reported-by|)"
      R"(suggested-by|helped-by|assisted-by|approved-by|cc|change-id|reviewed-on)\s*:)");
  return RE2::PartialMatch(t, kTrailer);
}

BodyText read_body(std::string_view body, const IntentConfig& config) {
  BodyText b;
  b.visible = strip_html_comments(body);
  std::string_view rest = b.visible;
  bool in_why = false;  // the lines since a heading that asks for the reason
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    std::string t(trim(line));
    if ((t.starts_with("- [") || t.starts_with("* [")) && t.size() >= 5 && t[4] == ']') {
      if (t[3] == ' ') {
        ++b.unchecked;
        if (b.first_unchecked.empty()) b.first_unchecked = t;
      } else if (t[3] == 'x' || t[3] == 'X') {
        ++b.checked;
      }
      continue;
    }
    if (people_trailer(t)) continue;
    const bool heading = t.starts_with("#") || bold_heading(t);
    // The answer is the first paragraph under the heading: a blank line
    // after it, or another label ("Summary:"), ends it.
    if (in_why && !b.why_sections.back().empty() && (t.empty() || (t.size() <= 40 && t.ends_with(':')))) in_why = false;
    if (heading || (t.size() <= 80 && search(config.why_headings, t))) {
      in_why = t.size() <= 120 && search(config.why_headings, t);
      if (in_why) b.why_sections.emplace_back();
      if (heading) continue;  // a heading asks; it answers nothing (nor is it a marker of a reason)
    } else if (in_why) {
      b.why_sections.back() += t;
      b.why_sections.back() += '\n';
    }
    b.prose += t;
    b.prose += '\n';
  }
  return b;
}

std::string letters_digits(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c >= 0x80) out += static_cast<char>(std::tolower(c));
  }
  return out;
}

// The first line of the title or the description's prose that calls the
// change provisional, unless that line is about ending such a thing ("remove
// the workaround"). Sets `word` to the match and `line` to its line.
bool provisional(const IntentConfig& config, std::string_view title, std::string_view prose, std::string& word,
                 std::string& line) {
  if (!config.tentative && !config.tentative_title) return false;
  auto check = [&](std::string_view l, bool is_title = false) {
    std::string m;
    const bool said = search(config.tentative, l, &m) ||
                      (is_title && config.tentative_title && search(config.tentative_title, l, &m));
    if (!said || (config.tentative_unless && search(config.tentative_unless, l))) return false;
    word = std::move(m);
    line = std::string(trim(l));
    return true;
  };
  if (check(title, true)) return true;
  // Code and quotations in the description are not the author's words
  // about this change ("```// temporary hack for IE```" it deletes).
  bool fenced = false;
  while (!prose.empty()) {
    const size_t nl = prose.find('\n');
    const std::string_view l = prose.substr(0, nl);
    const std::string_view t = trim(l);
    if (t.starts_with("```") || t.starts_with("~~~")) {
      fenced = !fenced;
    } else if (!fenced && !t.starts_with(">") && check(l)) {
      return true;
    }
    prose = nl == std::string_view::npos ? std::string_view() : prose.substr(nl + 1);
  }
  return false;
}

}  // namespace

void check_description(const PullRequest& pr, const DeclaredIntent& declared, const IntentConfig& config,
                       std::vector<Finding>& out) {
  const BodyText body = read_body(pr.body, config);
  const std::string prose = letters_digits(body.prose);
  const bool empty = static_cast<int>(prose.size()) < config.min_body_chars || prose == letters_digits(pr.title);
  if (empty) {
    out.push_back(make(config, rule::empty_description, "", 0,
                       prose.empty() ? "The description is empty." : "The description only restates the title.",
                       fmt::format("title: {}; description: {} meaningful characters", pr.title, prose.size()),
                       "Describe what the change does and why it is needed, and how you tested it, so a "
                       "reviewer can judge the diff against your intent."));
  }

  // Vague title: a whole-title match in the vocabulary, or too few words.
  std::string subject = lower(trim(declared.subject));
  while (!subject.empty() && (subject.back() == '.' || subject.back() == '!' || subject.back() == ':')) {
    subject.pop_back();
  }
  const auto subject_words = words(subject);
  std::string normalized;
  for (const auto& w : subject_words) normalized += (normalized.empty() ? "" : " ") + w;
  const bool vague_word = config.vague_titles && search(config.vague_titles, normalized);
  if (vague_word || static_cast<int>(subject_words.size()) < config.min_title_words) {
    out.push_back(make(config, rule::vague_title, "", 0,
                       fmt::format("The title '{}' does not say what changes.", redact(pr.title, 80)),
                       fmt::format("title: {}", pr.title),
                       "Name the behaviour or component that changes, e.g. 'Fix crash when saving an empty "
                       "invoice' instead of 'fix'."));
  }

  // A section under a heading that asks for the reason answers it when it
  // says something (min_body_chars, as for the whole description).
  // "N/A", "None", or the template's own prompt left in place is no answer.
  static const RE2 kUnanswered(
      R"(^(?i)[\W_]*(?:n/?a\b|none\b|no\b|not applicable|tbd\b|todo\b|nothing\b|please\b|describe\b|explain\b|provide\b|briefly\b|include\b|list\b|link\b|add\b))");
  const bool why_section = std::any_of(body.why_sections.begin(), body.why_sections.end(), [&](const std::string& sec) {
    return static_cast<int>(letters_digits(sec).size()) >= config.min_body_chars && !RE2::PartialMatch(sec, kUnanswered) &&
           !search(config.placeholders, sec);
  });
  if (!empty && !why_section && !search(config.why_markers, pr.title + "\n" + body.prose)) {
    out.push_back(make(config, rule::no_why, "", 0, "The description says what changes but not why.",
                       fmt::format("description: {}", body.prose),
                       "Add a sentence on the motivation: the bug, the user need or the issue this "
                       "addresses (e.g. 'because …', 'fixes #123')."));
  }

  std::string placeholder;
  if (search(config.placeholders, body.visible, &placeholder)) {
    out.push_back(make(config, rule::template_unfilled, "", 0,
                       "The description still contains template placeholder text.",
                       fmt::format("placeholder: {}", placeholder),
                       "Replace the template's placeholder text with your own description, or delete it."));
  } else if (body.unchecked >= config.min_unchecked_boxes && body.checked == 0) {
    out.push_back(make(config, rule::template_unfilled, "", 0,
                       fmt::format("None of the template's {} checklist items is ticked.", body.unchecked),
                       fmt::format("first unchecked item: {}", body.first_unchecked),
                       "Go through the checklist: tick what you did and delete what does not apply."));
  }

  if (!pr.draft) {
    std::string marker;
    bool wip = search(config.wip_title, pr.title, &marker);
    for (const auto& label : pr.labels) {
      if (!wip && config.wip_labels.count(lower(trim(label)))) {
        wip = true;
        marker = "label " + label;
      }
    }
    if (wip) {
      out.push_back(make(config, rule::wip_not_draft, "", 0,
                         "The PR is marked work-in-progress but is not a draft, so it could be merged.",
                         fmt::format("marker: {}", marker),
                         "Convert the PR to a draft until it is ready, or remove the WIP marker once it "
                         "is."));
    }
  }

  if (std::string word, line; provisional(config, pr.title, body.prose, word, line)) {
    out.push_back(make(config, rule::tentative, "", 0,
                       fmt::format("The author calls this change provisional ('{}'); changes described so are "
                                   "reverted several times as often as others.", redact(word, 40)),
                       fmt::format("said: {}", redact(line, 160)),
                       "Say what the lasting fix is and when this one goes, or land the lasting fix; a "
                       "person should decide whether this lands as it is."));
  }

  if (config.ticket_required && !search(config.ticket, pr.title) && !search(config.ticket, body.visible)) {
    out.push_back(make(config, rule::missing_ticket, "", 0,
                       "This repository requires a linked issue or ticket, and the PR names none.",
                       fmt::format("title: {}", pr.title),
                       "Link the issue or ticket this change addresses in the title or description "
                       "(e.g. 'Fixes #123' or 'PROJ-123')."));
  }
}

}  // namespace reviewer::intent
