-- A change's latest review run (?1: its seq) and how many runs it had
-- (?2, ?3: the pull request; ?4: the local run's id, '' for a pull request).
SELECT r.title, r.author, r.decision, r.mode, r.started_at,
       (SELECT count(*) FROM review_runs x WHERE x.repository = ?2 AND x.pr_number = ?3
          AND (?4 = '' OR x.run_id = ?4)) AS runs
FROM review_runs r
WHERE r.seq = ?1
