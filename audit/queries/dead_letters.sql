-- Webhook jobs the server gave up on (every attempt failed, or the last
-- lease expired): which pull requests were never reviewed, and why.
SELECT parked_at, repository, pr_number, kind, event, delivery_id, attempts, reason
FROM dead_letters
ORDER BY parked_at, seq;
