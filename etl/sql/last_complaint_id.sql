-- The highest complaint id stored: the batch's new complaints are numbered after it.
SELECT coalesce(max(id), 0) FROM complaint
