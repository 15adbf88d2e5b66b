-- Parameters: id, error.
UPDATE etl_batch SET status = 'failed', error = %(error)s, finished_at = clock_timestamp() WHERE id = %(id)s
