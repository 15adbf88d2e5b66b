-- Add the aggregated delta to rollup rows that exist already.
UPDATE rollup_cell_month AS r
SET n = r.n + a.n, n_open = r.n_open + a.n_open, n_resolved = r.n_resolved + a.n_resolved,
    n_rejected = r.n_rejected + a.n_rejected, n_late = r.n_late + a.n_late,
    n_rated = r.n_rated + a.n_rated, rating_sum = r.rating_sum + a.rating_sum,
    resolve_hours_sum = r.resolve_hours_sum + a.resolve_hours_sum
FROM {agg_months} AS a
WHERE r.resolution = a.resolution AND r.cell = a.cell AND r.month = a.month
  AND r.field_code = a.field_code AND r.category_code = a.category_code
  AND r.channel = a.channel
