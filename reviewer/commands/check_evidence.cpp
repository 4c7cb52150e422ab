#include "reviewer/commands/check_evidence.h"

#include <exception>

#include <fmt/format.h>

#include "audit/store.h"
#include "reviewer/core/review_result.h"

namespace reviewer::commands {

std::string record_head_checks(github::RestClient* client, audit::AuditStore& audit, const HeadChecks& h,
                               const std::function<void(const std::string&)>& log) {
  std::vector<github::CheckObservation> seen = h.from_payload;
  std::exception_ptr failure;
  if (client) {
    using Fetch = std::vector<github::CheckObservation> (*)(github::RestClient&, const std::string&,
                                                            const std::string&, const std::string&, std::size_t);
    const std::pair<const char*, Fetch> reads[] = {{"check runs", &github::fetch_check_runs},
                                                   {"commit statuses", &github::fetch_statuses}};
    for (const auto& [what, fetch] : reads) {
      try {
        auto got = fetch(*client, h.owner, h.repo, h.head_sha, github::kMaxChecksPerCommit);
        seen.insert(seen.end(), got.begin(), got.end());
      } catch (const std::exception& e) {
        if (log) log(fmt::format("{} of {}/{}@{} not read: {}", what, h.owner, h.repo, h.head_sha, e.what()));
        if (!failure) failure = std::current_exception();
      }
    }
  }
  std::vector<std::int64_t> prs;
  for (auto n : h.prs) {
    if (n > 0 && prs.size() < kMaxEvidencePrs) prs.push_back(n);
  }
  if (prs.empty()) prs.push_back(0);
  const std::string now = utc_now_iso8601();
  std::vector<audit::CheckResultRecord> rows;
  rows.reserve(seen.size() * prs.size());
  for (auto pr : prs) {
    for (const auto& o : seen) {
      rows.push_back({h.owner + "/" + h.repo, pr, h.head_sha, o.source, o.name, o.app, o.result, o.url,
                      o.completed_at, now, h.trigger});
    }
  }
  const std::size_t recorded = rows.empty() ? 0 : audit.record_check_results(rows);
  if (failure) std::rethrow_exception(failure);
  return fmt::format("checks: {} observed, {} recorded", seen.size(), recorded);
}

}  // namespace reviewer::commands
