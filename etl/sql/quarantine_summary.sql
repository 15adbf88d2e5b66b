-- Quarantined rows by reason.
SELECT reason, count(*) AS rows
FROM quarantine, unnest(reasons) AS reason
GROUP BY reason
ORDER BY rows DESC, reason
