#include "intent_fixture.h"

#include "subagents/intent/intent_agent.h"

namespace reviewer::test {

FileDiff file_change(const std::string& path, const std::vector<std::string>& lines, ChangeKind kind) {
  FileDiff fd;
  fd.kind = kind;
  if (kind != ChangeKind::added) fd.old_path = path;
  if (kind != ChangeKind::deleted) fd.new_path = path;
  Hunk h;
  h.old_start = h.new_start = 10;
  int old_line = 10, new_line = 10;
  for (const auto& l : lines) {
    DiffLine dl;
    dl.content = std::string_view(l).substr(l.empty() ? 0 : 1);
    char tag = l.empty() ? ' ' : l[0];
    if (tag == '+') {
      dl.origin = LineOrigin::added;
      dl.new_line = new_line++;
      ++fd.additions;
    } else if (tag == '-') {
      dl.origin = LineOrigin::deleted;
      dl.old_line = old_line++;
      ++fd.deletions;
    } else {
      dl.origin = LineOrigin::context;
      dl.old_line = old_line++;
      dl.new_line = new_line++;
    }
    h.lines.push_back(std::move(dl));
  }
  h.old_lines = old_line - 10;
  h.new_lines = new_line - 10;
  if (kind == ChangeKind::added) h.old_start = 0;
  fd.hunks.push_back(std::move(h));
  own_text(fd);  // the lines viewed the caller's strings
  return fd;
}

PullRequest pr_with(const std::string& title, const std::string& body, std::vector<std::string> labels, bool draft) {
  PullRequest pr;
  pr.title = title;
  pr.body = body;
  pr.labels = std::move(labels);
  pr.draft = draft;
  return pr;
}

std::vector<Finding> run_intent(const PullRequest& pr, const Diff& diff, const std::vector<std::string>& yaml) {
  AgentContext ctx;
  ctx.pr = pr;
  ctx.diff = diff;
  std::vector<std::pair<std::string, std::string>> docs;
  for (size_t i = 0; i < yaml.size(); ++i) docs.emplace_back("test" + std::to_string(i) + ".yml", yaml[i]);
  ctx.guidance = load_guidance_texts(docs);
  return make_intent_agent()->review(ctx);
}

const Finding* find_rule(const std::vector<Finding>& findings, const std::string& rule) {
  for (const auto& f : findings) {
    if (f.rule == rule) return &f;
  }
  return nullptr;
}

bool has_rule(const std::vector<Finding>& findings, const std::string& rule) {
  return find_rule(findings, rule) != nullptr;
}

std::string rules_of(const std::vector<Finding>& findings) {
  std::string out;
  for (const auto& f : findings) out += (out.empty() ? "" : ", ") + f.rule;
  return out.empty() ? "(none)" : out;
}

}  // namespace reviewer::test
