-- Insert the aggregated delta for keys the rollup does not have yet.
INSERT INTO rollup_cell_day (
    h3_r7, h3_r8, h3_r9, h3_r10, day, field_code, category_code, channel,
    n, n_open, n_resolved, n_rejected, n_late, n_rated, rating_sum, resolve_hours_sum
)
SELECT a.h3_r7, a.h3_r8, a.h3_r9, a.h3_r10, a.day, a.field_code, a.category_code, a.channel,
       a.n, a.n_open, a.n_resolved, a.n_rejected, a.n_late, a.n_rated, a.rating_sum,
       a.resolve_hours_sum
FROM {agg_cells} AS a
WHERE NOT EXISTS (
    SELECT 1 FROM rollup_cell_day AS r
    WHERE r.h3_r10 = a.h3_r10 AND r.h3_r9 = a.h3_r9 AND r.h3_r8 = a.h3_r8
      AND r.h3_r7 = a.h3_r7 AND r.day = a.day AND r.field_code = a.field_code
      AND r.category_code = a.category_code AND r.channel = a.channel
)
