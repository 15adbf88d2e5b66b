-- Close a ledger entry inside the batch transaction. Parameters: id, counts, timings, stats.
UPDATE etl_batch
SET status = 'done', rows_in = %(rows_in)s, rows_loaded = %(rows_loaded)s,
    rows_quarantined = %(rows_quarantined)s, rows_inserted = %(rows_inserted)s,
    rows_updated = %(rows_updated)s, rows_unchanged = %(rows_unchanged)s,
    data_version = %(data_version)s, timings = %(timings)s, stats = stats || %(stats)s,
    finished_at = clock_timestamp()
WHERE id = %(id)s
