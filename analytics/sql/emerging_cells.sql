-- The cells of a stored emerging run that have a pattern, in cell order. Parameters: id.
SELECT cell, pattern, n, n_last_step
FROM emerging_cell
WHERE run_id = %(id)s AND pattern <> 'no pattern'
ORDER BY cell
