#include "audit/rule_stats.h"

namespace reviewer::audit {

namespace {

// In the dialect SQLite and PostgreSQL share: DISTINCT over columns, not
// over SQLite's char(31)-joined strings; sums cast back to integers
// (PostgreSQL sums BIGINTs as NUMERIC).
constexpr const char* kSql = R"(
WITH runs AS (
  SELECT run_id, repository, pr_number FROM review_runs),
fired_findings AS (
  SELECT DISTINCT f.rule, r.repository, r.pr_number, f.finding_id
  FROM findings f JOIN runs r ON r.run_id = f.run_id),
fired_prs AS (
  SELECT DISTINCT rule, repository, pr_number FROM fired_findings),
fired AS (
  SELECT rule, count(*) AS fired FROM fired_findings GROUP BY rule),
prs AS (
  SELECT rule, count(*) AS prs FROM fired_prs GROUP BY rule),
shadow AS (
  SELECT rule, count(*) AS shadow_fired FROM (
    SELECT DISTINCT f.rule, r.repository, r.pr_number, f.finding_id
    FROM shadow_findings f JOIN runs r ON r.run_id = f.run_id) s
  GROUP BY rule),
votes AS (
  SELECT rule, CAST(sum(helpful) AS BIGINT) AS helpful, CAST(sum(1 - helpful) AS BIGINT) AS unhelpful
  FROM feedback GROUP BY rule),
reverted AS (
  SELECT p.rule, count(*) AS reverted_prs FROM fired_prs p
  WHERE p.pr_number > 0 AND EXISTS (
    SELECT 1 FROM pr_events e
    WHERE e.repository = p.repository AND e.pr_number = p.pr_number AND e.kind = 'reverted')
  GROUP BY p.rule),
rules AS (
  SELECT rule FROM fired UNION SELECT rule FROM shadow UNION SELECT rule FROM votes)
SELECT x.rule,
       coalesce(fi.fired, 0) AS fired,
       coalesce(sh.shadow_fired, 0) AS shadow_fired,
       coalesce(pr.prs, 0) AS prs,
       coalesce(v.helpful, 0) AS helpful,
       coalesce(v.unhelpful, 0) AS unhelpful,
       CASE WHEN coalesce(v.helpful, 0) + coalesce(v.unhelpful, 0) > 0
            THEN round(1.0 * v.helpful / (v.helpful + v.unhelpful), 4) END AS helpful_ratio,
       coalesce(rv.reverted_prs, 0) AS reverted_prs
FROM rules x
LEFT JOIN fired fi ON fi.rule = x.rule
LEFT JOIN prs pr ON pr.rule = x.rule
LEFT JOIN shadow sh ON sh.rule = x.rule
LEFT JOIN votes v ON v.rule = x.rule
LEFT JOIN reverted rv ON rv.rule = x.rule
ORDER BY coalesce(v.unhelpful, 0) - coalesce(v.helpful, 0) DESC, coalesce(v.unhelpful, 0) DESC,
         coalesce(fi.fired, 0) DESC, x.rule
)";

}  // namespace

void rule_stats(const std::string& location, Format format, std::ostream& out) {
  query_location(location, kSql, format, out);
}

}  // namespace reviewer::audit
