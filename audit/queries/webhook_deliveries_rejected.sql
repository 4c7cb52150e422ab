-- Webhook deliveries whose signature did not verify or that were rejected.
SELECT delivery_id, event, action, repository, received_at, signature_valid, outcome
FROM deliveries
WHERE signature_valid = 0 OR outcome = 'rejected'
ORDER BY received_at;
