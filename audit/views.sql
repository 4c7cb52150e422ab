-- views revision: 1
-- (Raise it with every change of this file, and the test that names its
-- hash: a reviewer never replaces views of a higher revision, which a newer
-- build wrote at the same schema version; audit/migrate.h.)
-- Auditor views over the append-only tables; documented column by column in
-- audit/README.md. Views hold no data: they are re-created whenever this
-- file changes, and they read only the chained (verifiable) tables.
-- Times are UTC ISO 8601 text; durations are seconds or milliseconds as named.

-- One row per review run: what was decided, why, and on what evidence
-- (risk_*: NULL when the run has no revert-risk estimate).
CREATE VIEW v_decisions AS
SELECT r.run_id, r.repository, r.pr_number, r.title, r.trigger, r.mode,
       r.base_sha, r.head_sha, r.decision, r.reasons, r.started_at, r.duration_ms,
       r.size_label, r.lines_added + r.lines_deleted AS lines_changed,
       (SELECT count(*) FROM agent_results a WHERE a.run_id = r.run_id AND a.status = 'ok') AS agents_ok,
       (SELECT count(*) FROM agent_results a WHERE a.run_id = r.run_id AND a.status <> 'ok') AS agents_failed,
       (SELECT count(*) FROM findings f WHERE f.run_id = r.run_id) AS findings,
       (SELECT max(CASE f.severity WHEN 'critical' THEN 4 WHEN 'error' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END)
          FROM findings f WHERE f.run_id = r.run_id) AS max_severity_rank,
       r.guidance_version, r.reviewer_version,
       k.probability_micro / 1e6 AS risk_probability, k.above_threshold AS risk_above_threshold
FROM review_runs r
LEFT JOIN review_risk k ON k.run_id = r.run_id;

-- Runs whose decision was approve, with the evidence the bot approved on.
CREATE VIEW v_bot_approvals AS
SELECT r.run_id, r.repository, r.pr_number, r.title, r.head_sha, r.mode,
       (r.mode = 'active') AS approval_counted,
       EXISTS (SELECT 1 FROM actions x WHERE x.run_id = r.run_id AND x.kind = 'review_approve'
               AND x.http_status BETWEEN 200 AND 299) AS approval_posted,
       r.started_at, r.reasons, r.size_label, r.lines_added + r.lines_deleted AS lines_changed,
       (SELECT json_group_array(json_object('agent', a.agent, 'status', a.status,
                                            'duration_ms', a.duration_ms, 'findings', a.finding_count))
          FROM agent_results a WHERE a.run_id = r.run_id) AS agents,
       (SELECT json_group_array(json_object('id', f.finding_id, 'rule', f.rule, 'severity', f.severity,
                                            'path', f.path, 'line', f.line))
          FROM findings f WHERE f.run_id = r.run_id) AS findings,
       r.guidance_version, r.reviewer_version
FROM review_runs r
WHERE r.decision = 'approve';

-- Approvals by people, with what the bot had decided on the same head.
CREATE VIEW v_human_approvals AS
SELECT e.repository, e.pr_number, e.actor AS approver, e.head_sha, e.at AS approved_at,
       b.decision AS bot_decision, b.run_id AS bot_run_id
FROM pr_events e
LEFT JOIN review_runs b ON b.seq = (
    SELECT max(r.seq) FROM review_runs r WHERE r.repository = e.repository
      AND r.pr_number = e.pr_number AND r.head_sha = e.head_sha)
WHERE e.kind = 'approved';

-- Who asked for a human (or cancelled that), and when.
CREATE VIEW v_overrides AS
SELECT o.repository, o.pr_number, o.kind, o.actor, o.comment_id, o.at,
       b.decision AS bot_decision_before
FROM overrides o
LEFT JOIN review_runs b ON b.seq = (
    SELECT max(r.seq) FROM review_runs r WHERE r.repository = o.repository
      AND r.pr_number = o.pr_number AND r.started_at <= o.at);

-- Every merged PR with who or what approved it, and whether it was reverted.
-- approval: 'bot' (an active-mode approve decision on the merged head),
-- 'human' (a person approved), 'bot+human', or 'none'. risk_probability is
-- the history agent's estimate in that run, to hold against `reverted`.
CREATE VIEW v_merged_prs AS
SELECT repository, pr_number, merged_at, merge_sha, head_sha, merged_by, bot_run_id, bot_decision, bot_mode,
       human_approvers,
       CASE WHEN bot_decision = 'approve' AND bot_mode = 'active' THEN
              CASE WHEN human_approvers IS NOT NULL THEN 'bot+human' ELSE 'bot' END
            WHEN human_approvers IS NOT NULL THEN 'human' ELSE 'none' END AS approval,
       reverted_by_pr, reverted_at, (reverted_by_pr IS NOT NULL) AS reverted, risk_probability
FROM (
  SELECT m.repository, m.pr_number, m.at AS merged_at, m.merge_sha, m.head_sha, m.actor AS merged_by,
         b.run_id AS bot_run_id, b.decision AS bot_decision, b.mode AS bot_mode,
         -- Correlated (one index probe per PR), so one PR's row does not
         -- aggregate every approval in the log.
         (SELECT group_concat(DISTINCT a.actor) FROM pr_events a WHERE a.repository = m.repository
             AND a.pr_number = m.pr_number AND a.kind = 'approved') AS human_approvers,
         v.related_pr AS reverted_by_pr, v.at AS reverted_at,
         k.probability_micro / 1e6 AS risk_probability
  FROM pr_events m
  LEFT JOIN review_runs b ON b.seq = (
      SELECT max(r.seq) FROM review_runs r WHERE r.head_sha = m.head_sha AND r.repository = m.repository
        AND r.pr_number = m.pr_number)
  LEFT JOIN review_risk k ON k.run_id = b.run_id
  LEFT JOIN pr_events v ON v.seq = (
      SELECT min(x.seq) FROM pr_events x WHERE x.repository = m.repository AND x.pr_number = m.pr_number
        AND x.kind = 'reverted')
  WHERE m.kind = 'merged') AS merged;

-- Revert rate per month of merge, bot-approved vs. human-approved.
-- 'bot+human' PRs count in both groups' "any" totals but are kept apart here.
CREATE VIEW v_revert_rate AS
SELECT substr(merged_at, 1, 7) AS period, approval,
       count(*) AS merged, sum(reverted) AS reverted,
       round(1.0 * sum(reverted) / count(*), 4) AS revert_rate
FROM v_merged_prs
GROUP BY period, approval;

-- Per PR: when review could start (ready for review, else opened), the
-- first decision, and the first approval (bot in active mode, or a person).
-- Times are computed as Julian days (one index probe each) and turned into
-- text once, at the end.
CREATE VIEW v_review_latency AS
WITH starts AS (
  SELECT repository, pr_number,
         coalesce(max(CASE WHEN kind = 'ready_for_review' THEN at END),
                  min(CASE WHEN kind = 'opened' THEN at END)) AS start_at
  FROM pr_events WHERE kind IN ('opened', 'ready_for_review')
  GROUP BY repository, pr_number),
marks AS MATERIALIZED (
  SELECT s.repository, s.pr_number, s.start_at,
         (SELECT julianday(r.started_at) + r.duration_ms / 86400000.0 FROM review_runs r
           WHERE r.repository = s.repository AND r.pr_number = s.pr_number AND r.started_at >= s.start_at
           ORDER BY r.started_at LIMIT 1) AS decided,
         (SELECT julianday(r.started_at) + r.duration_ms / 86400000.0 FROM review_runs r
           WHERE r.repository = s.repository AND r.pr_number = s.pr_number AND r.started_at >= s.start_at
             AND r.decision = 'approve' AND r.mode = 'active'
           ORDER BY r.started_at LIMIT 1) AS bot_approved,
         (SELECT julianday(min(e.at)) FROM pr_events e
           WHERE e.repository = s.repository AND e.pr_number = s.pr_number AND e.kind = 'approved'
             AND e.at >= s.start_at) AS human_approved
  FROM starts s),
firsts AS (
  SELECT repository, pr_number, start_at, decided,
         CASE WHEN bot_approved IS NULL THEN human_approved
              WHEN human_approved IS NULL OR bot_approved < human_approved THEN bot_approved
              ELSE human_approved END AS approved
  FROM marks)
SELECT repository, pr_number, start_at,
       strftime('%Y-%m-%dT%H:%M:%SZ', decided) AS first_decision_at,
       strftime('%Y-%m-%dT%H:%M:%SZ', approved) AS approved_at,
       CAST(round((decided - julianday(start_at)) * 86400) AS INTEGER) AS seconds_to_first_decision,
       CAST(round((approved - julianday(start_at)) * 86400) AS INTEGER) AS seconds_to_approval
FROM firsts;

-- Median and p90 (nearest rank) of the two latencies above.
CREATE VIEW v_review_latency_summary AS
WITH lat AS MATERIALIZED (
  SELECT seconds_to_first_decision AS a, seconds_to_approval AS b FROM v_review_latency),
samples AS (
  SELECT 'first_decision' AS metric, a AS v FROM lat WHERE a IS NOT NULL
  UNION ALL
  SELECT 'approval', b FROM lat WHERE b IS NOT NULL),
ranked AS (
  SELECT metric, v, row_number() OVER (PARTITION BY metric ORDER BY v) AS rn,
         count(*) OVER (PARTITION BY metric) AS n
  FROM samples)
SELECT metric, max(n) AS prs,
       min(CASE WHEN rn = (n * 50 + 99) / 100 THEN v END) AS median_seconds,
       min(CASE WHEN rn = (n * 90 + 99) / 100 THEN v END) AS p90_seconds
FROM ranked GROUP BY metric;

-- Per rule: how often it fired and what people said about it.
CREATE VIEW v_finding_helpfulness AS
WITH fired AS (
  SELECT rule, count(*) AS findings, count(DISTINCT finding_id) AS distinct_findings
  FROM findings GROUP BY rule),
votes AS (
  SELECT rule, sum(helpful) AS helpful, sum(1 - helpful) AS not_helpful
  FROM feedback GROUP BY rule)
SELECT f.rule, f.findings, f.distinct_findings,
       coalesce(v.helpful, 0) AS helpful, coalesce(v.not_helpful, 0) AS not_helpful,
       CASE WHEN coalesce(v.helpful, 0) + coalesce(v.not_helpful, 0) > 0
            THEN round(1.0 * v.helpful / (v.helpful + v.not_helpful), 4) END AS helpful_ratio
FROM fired f LEFT JOIN votes v ON v.rule = f.rule
UNION ALL
SELECT v.rule, 0, 0, v.helpful, v.not_helpful, round(1.0 * v.helpful / (v.helpful + v.not_helpful), 4)
FROM votes v WHERE v.rule NOT IN (SELECT rule FROM fired);

-- Test results (issue 21): the latest observation (by seq) of each check of
-- a head: check runs, commit statuses and completed check suites, as
-- recorded when the PR was merged or a check suite completed. failed: the
-- result is one that blocks a required check (failure, error, timed_out,
-- cancelled, action_required, startup_failure, stale); completed: GitHub
-- gave a completion time. Our own check `reviewer` is evidence too and is
-- counted like any other.
CREATE VIEW v_check_results AS
SELECT c.repository, c.pr_number, c.head_sha, c.source, c.name, c.app, c.result, c.url,
       c.completed_at, c.observed_at,
       (c.result IN ('failure', 'error', 'timed_out', 'cancelled', 'action_required', 'startup_failure',
                     'stale')) AS failed,
       (c.completed_at <> '') AS completed
FROM check_results c
WHERE c.seq = (SELECT max(x.seq) FROM check_results x WHERE x.repository = c.repository
                 AND x.head_sha = c.head_sha AND x.source = c.source AND x.name = c.name);

-- Merged PRs whose merged head has at least one failed check (latest
-- observation); failing: the failed checks' names, sorted, joined by ', '.
-- Found from the failed checks (few) rather than from every merged PR.
CREATE VIEW v_merged_with_failing_checks AS
SELECT m.repository, m.pr_number, m.merged_at, m.merge_sha, m.head_sha, m.merged_by, m.approval,
       f.failing_count,
       (SELECT group_concat(name, ', ') FROM (
          SELECT c.name FROM v_check_results c
           WHERE c.repository = f.repository AND c.head_sha = f.head_sha AND c.failed ORDER BY c.name)) AS failing
FROM (SELECT c.repository, c.head_sha, count(*) AS failing_count FROM check_results c
       WHERE c.result IN ('failure', 'error', 'timed_out', 'cancelled', 'action_required', 'startup_failure',
                          'stale')
         AND c.seq = (SELECT max(x.seq) FROM check_results x WHERE x.repository = c.repository
                        AND x.head_sha = c.head_sha AND x.source = c.source AND x.name = c.name)
       GROUP BY c.repository, c.head_sha) AS f
JOIN v_merged_prs m ON m.repository = f.repository AND m.head_sha = f.head_sha;

-- Merged PRs with a check of the merged head that had not completed when it
-- was merged: no completion time, or one later than merged_at (latest
-- observation of each check).
CREATE VIEW v_merged_before_checks_completed AS
SELECT * FROM (
  SELECT m.repository, m.pr_number, m.merged_at, m.merge_sha, m.head_sha, m.merged_by, m.approval,
         (SELECT count(*) FROM v_check_results c
           WHERE c.repository = m.repository AND c.head_sha = m.head_sha
             AND (c.completed_at = '' OR c.completed_at > m.merged_at)) AS pending_count,
         (SELECT group_concat(name, ', ') FROM (
            SELECT c.name FROM v_check_results c
             WHERE c.repository = m.repository AND c.head_sha = m.head_sha
               AND (c.completed_at = '' OR c.completed_at > m.merged_at)
             ORDER BY c.name)) AS pending
  FROM v_merged_prs m)
WHERE pending_count > 0;

-- The evidence an auditor samples, one row per merged PR: what it was, who
-- or what approved it, the bot's decision, the test results of the merged
-- head (checks_pending: not completed when it was merged), a later revert
-- and how many /human-review overrides it had. title and author come from
-- the latest pull_requests snapshot (NULL when none); opened_at from the
-- first `opened` event (NULL when none).
CREATE VIEW v_change_evidence AS
SELECT m.repository, m.pr_number,
       (SELECT p.title FROM pull_requests p WHERE p.repository = m.repository AND p.pr_number = m.pr_number
         ORDER BY p.seq DESC LIMIT 1) AS title,
       (SELECT p.author FROM pull_requests p WHERE p.repository = m.repository AND p.pr_number = m.pr_number
         ORDER BY p.seq DESC LIMIT 1) AS author,
       (SELECT min(e.at) FROM pr_events e WHERE e.repository = m.repository AND e.pr_number = m.pr_number
           AND e.kind = 'opened') AS opened_at,
       m.merged_at, m.merge_sha, m.head_sha, m.merged_by, m.approval, m.bot_run_id, m.bot_decision, m.bot_mode,
       m.human_approvers,
       (SELECT count(*) FROM v_check_results c WHERE c.repository = m.repository AND c.head_sha = m.head_sha)
         AS checks_total,
       (SELECT count(*) FROM v_check_results c WHERE c.repository = m.repository AND c.head_sha = m.head_sha
           AND c.failed) AS checks_failed,
       (SELECT count(*) FROM v_check_results c WHERE c.repository = m.repository AND c.head_sha = m.head_sha
           AND (c.completed_at = '' OR c.completed_at > m.merged_at)) AS checks_pending,
       m.reverted, m.reverted_by_pr, m.reverted_at,
       (SELECT count(*) FROM overrides o WHERE o.repository = m.repository AND o.pr_number = m.pr_number
           AND o.kind = 'human_review') AS overrides
FROM v_merged_prs m;
