#include "reviewer/pipeline/redaction.h"

#include <limits>
#include <map>

#include "subagents/intent/text.h"

namespace reviewer {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

void replace_all(std::string& s, std::string_view what, std::string_view with) {
  for (std::size_t pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + with.size())) {
    s.replace(pos, what.size(), with);
  }
}

}  // namespace

Redactor::Redactor(const std::vector<AgentReport>& agents, const Diff& diff) {
  std::map<std::pair<std::string, int>, std::string> flagged;  // (path, new line) -> rule
  for (const auto& a : agents) {
    for (const auto& f : a.findings) {
      if (f.rule.starts_with("safety/secret/")) flagged[{f.path, f.line}] = f.rule;
    }
  }
  if (flagged.empty()) return;
  for (const auto& file : diff.files) {
    for (const auto& hunk : file.hunks) {
      for (const auto& line : hunk.lines) {
        if (line.origin == LineOrigin::deleted) continue;
        auto it = flagged.find({file.path(), line.new_line});
        if (it == flagged.end()) continue;
        // Very short lines would mask unrelated text; the token mask still
        // catches a long credential on them.
        std::string_view content = trim(line.content);
        if (content.size() >= 8) secret_lines_.emplace_back(std::string(content), it->second);
      }
    }
  }
}

std::string Redactor::text(std::string_view s) const {
  std::string out(s);
  for (const auto& [content, rule] : secret_lines_) replace_all(out, content, "[redacted: " + rule + "]");
  return intent::redact(out, std::numeric_limits<std::size_t>::max(), /*keep_layout=*/true);
}

Diff Redactor::diff(const Diff& d) const {
  Diff out = d;
  for (auto& file : out.files) {
    for (auto& hunk : file.hunks) {
      for (auto& line : hunk.lines) line.content = text(line.content);
    }
  }
  return out;
}

PullRequest Redactor::pr(const PullRequest& p) const {
  PullRequest out = p;
  out.title = text(p.title);
  out.body = text(p.body);
  return out;
}

}  // namespace reviewer
