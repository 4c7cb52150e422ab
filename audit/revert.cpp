#include "audit/revert.h"

#include <re2/re2.h>

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

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

bool exists_merged(Connection& db, const std::string& repo, std::int64_t number) {
  auto q = db.prepare(
      "SELECT 1 FROM pr_events WHERE repository = ? AND pr_number = ? AND kind = 'merged' LIMIT 1");
  q.bind(1, std::string_view(repo));
  q.bind(2, number);
  return q.step();
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

std::vector<std::int64_t> resolve_reverted(Connection& db, const std::string& repository,
                                           std::int64_t reverting_pr, const RevertReference& ref) {
  std::vector<std::int64_t> found;
  for (const auto& p : ref.prs) {
    // "Reverts other/repo#5" names a PR of another repository: not ours.
    if (!p.repository.empty() && lower(p.repository) != lower(repository)) continue;
    if (exists_merged(db, repository, p.number)) found.push_back(p.number);
  }
  for (const auto& sha : ref.shas) {
    auto q = db.prepare(
        "SELECT DISTINCT pr_number FROM pr_events WHERE repository = ? AND kind = 'merged' "
        "AND (substr(merge_sha, 1, length(?2)) = ?2 OR substr(head_sha, 1, length(?2)) = ?2)");
    q.bind(1, std::string_view(repository));
    q.bind(2, std::string_view(sha));
    while (q.step()) found.push_back(q.column_int64(0));
  }
  if (!ref.reverted_title.empty()) {
    auto q = db.prepare(
        "SELECT DISTINCT e.pr_number FROM pr_events e WHERE e.repository = ?1 AND e.kind = 'merged' "
        "AND (EXISTS (SELECT 1 FROM pull_requests p WHERE p.repository = ?1 "
        "             AND p.pr_number = e.pr_number AND p.title = ?2) "
        "  OR EXISTS (SELECT 1 FROM review_runs r WHERE r.repository = ?1 "
        "             AND r.pr_number = e.pr_number AND r.title = ?2))");
    q.bind(1, std::string_view(repository));
    q.bind(2, std::string_view(ref.reverted_title));
    while (q.step()) found.push_back(q.column_int64(0));
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  std::erase(found, reverting_pr);
  std::erase_if(found, [&](std::int64_t n) {
    auto q = db.prepare(
        "SELECT 1 FROM pr_events WHERE repository = ? AND pr_number = ? AND kind = 'reverted' "
        "AND related_pr = ?");
    q.bind(1, std::string_view(repository));
    q.bind(2, n);
    q.bind(3, reverting_pr);
    return q.step();
  });
  return found;
}

}  // namespace reviewer::audit
