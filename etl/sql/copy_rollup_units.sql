-- A first load: the batch's rollup goes straight in.
COPY rollup_unit_day (
    boundary_set, unit_code, day, field_code, category_code,
    n, n_open, n_resolved, n_rejected, n_late, n_rated, rating_sum, resolve_hours_sum
) FROM STDIN (FORMAT binary)
