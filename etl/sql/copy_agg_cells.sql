COPY {agg_cells} (
    h3_r7, h3_r8, h3_r9, h3_r10, day, field_code, category_code, channel,
    n, n_open, n_resolved, n_rejected, n_late, n_rated, rating_sum, resolve_hours_sum, removal
) FROM STDIN (FORMAT binary)
