-- Insert the aggregated delta for keys the rollup does not have yet.
INSERT INTO rollup_cell_month (
    resolution, cell, month, field_code, category_code, channel,
    n, n_open, n_resolved, n_rejected, n_late, n_rated, rating_sum, resolve_hours_sum
)
SELECT a.resolution, a.cell, a.month, a.field_code, a.category_code, a.channel,
       a.n, a.n_open, a.n_resolved, a.n_rejected, a.n_late, a.n_rated, a.rating_sum,
       a.resolve_hours_sum
FROM {agg_months} AS a
WHERE NOT EXISTS (
    SELECT 1 FROM rollup_cell_month AS r
    WHERE r.resolution = a.resolution AND r.cell = a.cell AND r.month = a.month
      AND r.field_code = a.field_code AND r.category_code = a.category_code
      AND r.channel = a.channel
)
