#include "audit/revert.h"

#include <re2/re2.h>

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "audit/history.h"
#include "reviewer/core/revert_text.h"
#include "reviewer/core/text.h"

namespace reviewer::audit {

namespace {

constexpr std::size_t kMaxScan = 64 * 1024;
constexpr std::size_t kMaxRefs = 50;

std::string_view capped(std::string_view s) { return s.substr(0, std::min(s.size(), kMaxScan)); }

const RE2& pr_re() {
  static const RE2 re(R"re((?i)\breverts\s+([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)?#([0-9]{1,12})\b)re");
  return re;
}

bool any_row(LogReader& log, std::string_view sql, const std::vector<Value>& params) {
  bool found = false;
  log.each(sql, params, [&](const LogRow&) { found = true; });
  return found;
}

void add_numbers(LogReader& log, std::string_view sql, const std::vector<Value>& params,
                 std::vector<std::int64_t>& out) {
  log.each(sql, params, [&](const LogRow& r) { out.push_back(int_value(r.values[0])); });
}

}  // namespace

std::string RevertReference::summary() const {
  std::vector<std::string> parts;
  if (!reverted_title.empty()) parts.push_back(fmt::format("title \"{}\"", reverted_title));
  for (const auto& s : shas) parts.push_back("commit " + s);
  for (const auto& p : prs) parts.push_back(fmt::format("{}#{}", p.repository, p.number));
  return fmt::format("{}", fmt::join(parts, "; "));
}

RevertReference detect_revert(std::string_view title, std::string_view body) {
  RevertReference ref;
  if (auto t = reverted_title(capped(title))) ref.reverted_title = std::move(*t);
  for (std::string_view text : {capped(title), capped(body)}) {
    for (auto& sha : reverted_shas(text, kMaxRefs - ref.shas.size())) {
      if (std::find(ref.shas.begin(), ref.shas.end(), sha) == ref.shas.end()) ref.shas.push_back(std::move(sha));
    }
    re2::StringPiece in(text.data(), text.size());
    std::string repo, digits;
    while (ref.prs.size() < kMaxRefs && RE2::FindAndConsume(&in, pr_re(), &repo, &digits)) {
      PrReference p{repo, 0};
      std::from_chars(digits.data(), digits.data() + digits.size(), p.number);
      if (p.number > 0) ref.prs.push_back(p);
    }
  }
  return ref;
}

std::vector<std::int64_t> resolve_reverted(LogReader& log, const std::string& repository,
                                           std::int64_t reverting_pr, const RevertReference& ref) {
  std::vector<std::int64_t> found;
  for (const auto& p : ref.prs) {
    // "Reverts other/repo#5" names a PR of another repository: not ours.
    if (!p.repository.empty() && lower(p.repository) != lower(repository)) continue;
    if (any_row(log, "SELECT 1 FROM pr_events WHERE repository = ?1 AND pr_number = ?2 AND kind = 'merged' LIMIT 1",
                {repository, p.number})) {
      found.push_back(p.number);
    }
  }
  for (const auto& sha : ref.shas) {
    add_numbers(log,
                "SELECT DISTINCT pr_number FROM pr_events WHERE repository = ?1 AND kind = 'merged' "
                "AND (substr(merge_sha, 1, length(?2)) = ?2 OR substr(head_sha, 1, length(?2)) = ?2)",
                {repository, sha}, found);
  }
  if (!ref.reverted_title.empty()) {
    add_numbers(log,
                "SELECT DISTINCT e.pr_number FROM pr_events e WHERE e.repository = ?1 AND e.kind = 'merged' "
                "AND (EXISTS (SELECT 1 FROM pull_requests p WHERE p.repository = ?1 "
                "             AND p.pr_number = e.pr_number AND p.title = ?2) "
                "  OR EXISTS (SELECT 1 FROM review_runs r WHERE r.repository = ?1 "
                "             AND r.pr_number = e.pr_number AND r.title = ?2))",
                {repository, ref.reverted_title}, found);
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  std::erase(found, reverting_pr);
  std::erase_if(found, [&](std::int64_t n) {
    return any_row(log,
                   "SELECT 1 FROM pr_events WHERE repository = ?1 AND pr_number = ?2 AND kind = 'reverted' "
                   "AND related_pr = ?3",
                   {repository, n, reverting_pr});
  });
  return found;
}

}  // namespace reviewer::audit
