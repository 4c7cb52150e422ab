#include "audit/history.h"

#include <fmt/format.h>

namespace reviewer::audit {

std::string text_value(const Value& v) {
  const auto* s = std::get_if<std::string>(&v);
  return s ? *s : std::string();
}

std::int64_t int_value(const Value& v) {
  const auto* n = std::get_if<std::int64_t>(&v);
  return n ? *n : 0;
}

PrHistory read_history(LogReader& log, const std::string& repository, std::int64_t pr_number) {
  PrHistory h;
  const std::vector<Value> key{repository, pr_number};
  // Newest kHistoryLimit rows of each table, returned oldest first.
  auto rows = [&](const char* table, const char* columns, auto&& add) {
    log.each(fmt::format("SELECT * FROM (SELECT seq, {} FROM {} WHERE repository = ?1 AND pr_number = ?2 "
                         "ORDER BY seq DESC LIMIT {}) AS newest ORDER BY seq",
                         columns, table, kHistoryLimit),
             key, [&](const LogRow& r) {
               auto t = [&](std::size_t i) { return text_value(r.values[i]); };
               add(r.values, t, int_value(r.values[0]));
             });
  };
  rows("overrides", "kind, actor, comment_id, at", [&](const auto&, auto t, std::int64_t seq) {
    h.overrides.push_back({seq, OverrideRecord{repository, pr_number, t(1), t(2), t(3), t(4)}});
  });
  rows("pr_events", "kind, actor, head_sha, merge_sha, related_pr, detail, at",
       [&](const auto& v, auto t, std::int64_t seq) {
         h.events.push_back(
             {seq, PrEventRecord{repository, pr_number, t(1), t(2), t(3), t(4), int_value(v[5]), t(6), t(7)}});
       });
  rows("feedback", "finding_id, rule, actor, helpful, comment_id, at", [&](const auto& v, auto t, std::int64_t seq) {
    h.feedback.push_back(
        {seq, FeedbackRecord{repository, pr_number, t(1), t(2), t(3), int_value(v[4]) != 0, t(5), t(6)}});
  });
  rows("actions", "run_id, kind, github_id, http_status, detail, at", [&](const auto& v, auto t, std::int64_t seq) {
    h.actions.push_back({seq, ActionRecord{t(1), repository, pr_number, t(2), t(3),
                                           static_cast<int>(int_value(v[4])), t(5), t(6)}});
  });
  log.each(fmt::format("SELECT f.finding_id, min(f.rule) FROM findings f JOIN review_runs r ON r.run_id = f.run_id "
                       "WHERE r.repository = ?1 AND r.pr_number = ?2 GROUP BY f.finding_id ORDER BY f.finding_id "
                       "LIMIT {}",
                       kHistoryLimit),
           key, [&](const LogRow& r) { h.findings.push_back({text_value(r.values[0]), text_value(r.values[1])}); });
  return h;
}

}  // namespace reviewer::audit
