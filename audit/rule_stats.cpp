#include "audit/rule_stats.h"

#include "audit/readonly.h"
#include "audit/render.h"

namespace reviewer::audit {

namespace {

constexpr const char* kSql = R"(
WITH runs AS (
  SELECT run_id, repository, pr_number FROM review_runs),
fired AS (
  SELECT f.rule,
         count(DISTINCT r.repository || char(31) || r.pr_number || char(31) || f.finding_id) AS fired,
         count(DISTINCT r.repository || char(31) || r.pr_number) AS prs
  FROM findings f JOIN runs r ON r.run_id = f.run_id
  GROUP BY f.rule),
shadow AS (
  SELECT f.rule,
         count(DISTINCT r.repository || char(31) || r.pr_number || char(31) || f.finding_id) AS shadow_fired
  FROM shadow_findings f JOIN runs r ON r.run_id = f.run_id
  GROUP BY f.rule),
votes AS (
  SELECT rule, sum(helpful) AS helpful, sum(1 - helpful) AS unhelpful FROM feedback GROUP BY rule),
reverted AS (
  SELECT f.rule, count(DISTINCT r.repository || char(31) || r.pr_number) AS reverted_prs
  FROM findings f JOIN runs r ON r.run_id = f.run_id
  WHERE r.pr_number > 0 AND EXISTS (
    SELECT 1 FROM pr_events e
    WHERE e.repository = r.repository AND e.pr_number = r.pr_number AND e.kind = 'reverted')
  GROUP BY f.rule),
rules AS (
  SELECT rule FROM fired UNION SELECT rule FROM shadow UNION SELECT rule FROM votes)
SELECT x.rule,
       coalesce(fi.fired, 0) AS fired,
       coalesce(sh.shadow_fired, 0) AS shadow_fired,
       coalesce(fi.prs, 0) AS prs,
       coalesce(v.helpful, 0) AS helpful,
       coalesce(v.unhelpful, 0) AS unhelpful,
       CASE WHEN coalesce(v.helpful, 0) + coalesce(v.unhelpful, 0) > 0
            THEN round(1.0 * v.helpful / (v.helpful + v.unhelpful), 4) END AS helpful_ratio,
       coalesce(rv.reverted_prs, 0) AS reverted_prs
FROM rules x
LEFT JOIN fired fi ON fi.rule = x.rule
LEFT JOIN shadow sh ON sh.rule = x.rule
LEFT JOIN votes v ON v.rule = x.rule
LEFT JOIN reverted rv ON rv.rule = x.rule
ORDER BY coalesce(v.unhelpful, 0) - coalesce(v.helpful, 0) DESC, coalesce(v.unhelpful, 0) DESC,
         coalesce(fi.fired, 0) DESC, x.rule
)";

}  // namespace

void rule_stats(const std::filesystem::path& path, Format format, std::ostream& out) {
  Connection db = open_read_only(path);
  Statement st = db.prepare(kSql);
  render_rows(st, format, out);
}

}  // namespace reviewer::audit
