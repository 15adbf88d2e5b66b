-- Cells per pattern of a stored emerging run. Parameters: id.
SELECT pattern, count(*)::int
FROM emerging_cell
WHERE run_id = %(id)s
GROUP BY pattern
