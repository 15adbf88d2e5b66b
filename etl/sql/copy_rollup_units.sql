-- A first load: the batch's rollup goes straight in.
COPY rollup_unit_day (
    boundary_set, unit_code, day, field_code, category_code,
    n, n_open, n_resolved, n_rejected, n_late, n_rated, rating_sum, resolve_hours_sum,
    n_satisfied, rating_sq_sum,
    closed_d1, closed_d2, closed_d3, closed_d5, closed_d7,
    closed_d10, closed_d15, closed_d30, closed_d60, closed_dmore
) FROM STDIN (FORMAT binary)
