-- Add the aggregated delta to rollup rows that exist already.
UPDATE rollup_unit_day AS r
SET n = r.n + a.n, n_open = r.n_open + a.n_open, n_resolved = r.n_resolved + a.n_resolved,
    n_rejected = r.n_rejected + a.n_rejected, n_late = r.n_late + a.n_late,
    n_rated = r.n_rated + a.n_rated, rating_sum = r.rating_sum + a.rating_sum,
    resolve_hours_sum = r.resolve_hours_sum + a.resolve_hours_sum,
    n_satisfied = r.n_satisfied + a.n_satisfied, rating_sq_sum = r.rating_sq_sum + a.rating_sq_sum,
    closed_d1 = r.closed_d1 + a.closed_d1,
    closed_d2 = r.closed_d2 + a.closed_d2,
    closed_d3 = r.closed_d3 + a.closed_d3,
    closed_d5 = r.closed_d5 + a.closed_d5,
    closed_d7 = r.closed_d7 + a.closed_d7,
    closed_d10 = r.closed_d10 + a.closed_d10,
    closed_d15 = r.closed_d15 + a.closed_d15,
    closed_d30 = r.closed_d30 + a.closed_d30,
    closed_d60 = r.closed_d60 + a.closed_d60,
    closed_dmore = r.closed_dmore + a.closed_dmore
FROM {agg_units} AS a
WHERE r.boundary_set = a.boundary_set AND r.unit_code = a.unit_code AND r.day = a.day
  AND r.field_code = a.field_code AND r.category_code = a.category_code
