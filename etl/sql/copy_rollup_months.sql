-- A first load: the batch's rollup goes straight in.
COPY rollup_cell_month (
    resolution, cell, month, field_code, category_code, channel,
    n, n_open, n_resolved, n_rejected, n_late, n_rated, rating_sum, resolve_hours_sum
) FROM STDIN (FORMAT binary)
