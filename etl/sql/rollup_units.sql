-- Insert the aggregated delta for keys the rollup does not have yet.
INSERT INTO rollup_unit_day (
    boundary_set, unit_code, day, field_code, category_code,
    n, n_open, n_resolved, n_rejected, n_late, n_rated, rating_sum, resolve_hours_sum,
    n_satisfied, rating_sq_sum,
    closed_d1, closed_d2, closed_d3, closed_d5, closed_d7,
    closed_d10, closed_d15, closed_d30, closed_d60, closed_dmore
)
SELECT a.boundary_set, a.unit_code, a.day, a.field_code, a.category_code,
       a.n, a.n_open, a.n_resolved, a.n_rejected, a.n_late, a.n_rated, a.rating_sum,
       a.resolve_hours_sum, a.n_satisfied, a.rating_sq_sum,
       a.closed_d1, a.closed_d2, a.closed_d3, a.closed_d5, a.closed_d7,
       a.closed_d10, a.closed_d15, a.closed_d30, a.closed_d60, a.closed_dmore
FROM {agg_units} AS a
WHERE NOT EXISTS (
    SELECT 1 FROM rollup_unit_day AS r
    WHERE r.boundary_set = a.boundary_set AND r.unit_code = a.unit_code AND r.day = a.day
      AND r.field_code = a.field_code AND r.category_code = a.category_code
)
