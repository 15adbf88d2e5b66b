-- Batches left 'running' by a process that is gone: nothing of them was committed.
UPDATE etl_batch
SET status = 'failed', finished_at = clock_timestamp(),
    error = 'interrupted before commit; nothing of this batch was kept (run the file again)'
WHERE status = 'running'
  AND NOT EXISTS (
      SELECT 1 FROM pg_stat_activity AS a WHERE a.pid = (etl_batch.stats ->> 'pid')::int
  )
