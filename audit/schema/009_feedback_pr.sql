-- 009: a change's feedback by its pull request. A change's page (and the
-- evidence pack) reads every chained table's rows of one pull request;
-- feedback was the one table without an index led by (repository,
-- pr_number), so each page read all of it (15,104 rows, 11-20 ms on
-- PostgreSQL over the 100,000-change log: bench/README.md `## console`).
-- No table changes; the chain is untouched.
CREATE INDEX feedback_pr ON feedback(repository, pr_number);
