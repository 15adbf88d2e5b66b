-- Rows refused by this batch; a re-run of the same file refreshes them instead of adding.
-- Parameters: batch_id, source, file_sha256.
INSERT INTO quarantine (batch_id, source, file_sha256, row_number, source_id, reasons, details, raw)
SELECT %(batch_id)s, %(source)s, %(file_sha256)s, q.row_number, nullif(q.source_id, ''),
       q.reasons, q.details, q.raw
FROM quarantine_stage AS q
ON CONFLICT (source, file_sha256, row_number) DO UPDATE
SET batch_id = EXCLUDED.batch_id, reasons = EXCLUDED.reasons, details = EXCLUDED.details,
    raw = EXCLUDED.raw, created_at = now()
