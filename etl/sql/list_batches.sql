-- Parameters: limit.
SELECT id, source, file_name, status, rows_in, rows_loaded, rows_quarantined, rows_inserted,
       rows_updated, rows_unchanged, data_version, started_at, finished_at,
       extract(epoch FROM finished_at - started_at) AS seconds, error, timings, stats
FROM etl_batch
ORDER BY id DESC
LIMIT %(limit)s
