-- Add the aggregated delta to rollup rows that exist already.
UPDATE rollup_cell_day AS r
SET n = r.n + a.n, n_open = r.n_open + a.n_open, n_resolved = r.n_resolved + a.n_resolved,
    n_rejected = r.n_rejected + a.n_rejected, n_late = r.n_late + a.n_late,
    n_rated = r.n_rated + a.n_rated, rating_sum = r.rating_sum + a.rating_sum,
    resolve_hours_sum = r.resolve_hours_sum + a.resolve_hours_sum
FROM {agg_cells} AS a
WHERE r.h3_r10 = a.h3_r10 AND r.h3_r9 = a.h3_r9 AND r.h3_r8 = a.h3_r8 AND r.h3_r7 = a.h3_r7
  AND r.day = a.day AND r.field_code = a.field_code AND r.category_code = a.category_code
  AND r.channel = a.channel
