#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "subagents/intent/code_scan.h"
#include "subagents/intent/kind_detail.h"

namespace reviewer::intent {

namespace {

using Bag = std::map<Token, int>;

std::string describe(const Bag& a, const Bag& b) {
  bool numbers = false, conditions = false, control = false;
  auto note = [&](const Token& t) {
    if (t.kind == TokenKind::number) numbers = true;
    else if (t.kind == TokenKind::op || t.kind == TokenKind::literal) conditions = true;
    else if (t.text == "and" || t.text == "or" || t.text == "not" || t.text == "is" || t.text == "in") conditions = true;
    else control = true;
  };
  for (const auto& [t, n] : a) {
    auto it = b.find(t);
    if (it == b.end() || it->second != n) note(t);
  }
  for (const auto& [t, n] : b) {
    if (!a.count(t)) note(t);
  }
  std::vector<std::string> parts;
  if (numbers) parts.push_back("numbers");
  if (conditions) parts.push_back("conditions");
  if (control) parts.push_back("control flow");
  if (parts.empty()) return "logic";
  if (parts.size() == 1) return parts[0];
  std::string last = parts.back();
  parts.pop_back();
  return fmt::format("{} and {}", fmt::join(parts, ", "), last);
}

}  // namespace

std::optional<LogicChange> compare_hunk_logic(const Hunk& hunk, bool text_data) {
  auto kinds = classify_lines(hunk);
  Bag del_logic, add_logic;
  std::vector<Token> del_shape, add_shape;
  struct Changed {
    const DiffLine* line;
    std::vector<Token> tokens;
  };
  std::vector<Changed> deleted, added;
  for (size_t i = 0; i < hunk.lines.size(); ++i) {
    const auto& l = hunk.lines[i];
    if (l.origin == LineOrigin::context || kinds[i] != LineKind::code) continue;
    auto tokens = tokenize(l.content);
    bool add = l.origin == LineOrigin::added;
    for (const auto& t : tokens) {
      bool logic = text_data ? t.kind == TokenKind::number : is_logic_token(t);
      if (logic) ++(add ? add_logic : del_logic)[t];
      if (!text_data && t.kind != TokenKind::identifier) (add ? add_shape : del_shape).push_back(t);
    }
    (add ? added : deleted).push_back({&l, std::move(tokens)});
  }
  if (deleted.empty() && added.empty()) return std::nullopt;

  auto evidence = [&](const DiffLine* focus) {
    const DiffLine* d = deleted.empty() ? nullptr : deleted.front().line;
    const DiffLine* a = added.empty() ? nullptr : added.front().line;
    if (focus && focus->origin == LineOrigin::added) a = focus;
    if (focus && focus->origin == LineOrigin::deleted) d = focus;
    return fmt::format("- {} / + {}", d ? skeleton(d->content) : "(nothing)",
                       a ? skeleton(a->content) : "(nothing)");
  };
  auto line_of = [&](const DiffLine* l) { return l && l->origin == LineOrigin::added ? l->new_line : hunk.new_start; };

  if (del_logic != add_logic) {
    // Point at the first added line whose logic the old side lacks.
    Bag remaining = del_logic;
    const DiffLine* focus = nullptr;
    for (const auto& c : added) {
      for (const auto& t : c.tokens) {
        bool logic = text_data ? t.kind == TokenKind::number : is_logic_token(t);
        if (!logic) continue;
        if (remaining[t] > 0) {
          --remaining[t];
        } else if (!focus) {
          focus = c.line;
        }
      }
    }
    if (!focus && !deleted.empty()) focus = deleted.front().line;
    return LogicChange{line_of(focus), describe(del_logic, add_logic), evidence(focus)};
  }
  if (del_shape != add_shape) {
    const DiffLine* focus = added.empty() ? deleted.front().line : added.front().line;
    return LogicChange{line_of(focus), "the code's structure (operators, calls or statements)", evidence(focus)};
  }
  return std::nullopt;
}

}  // namespace reviewer::intent
