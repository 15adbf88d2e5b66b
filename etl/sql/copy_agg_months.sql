COPY {agg_months} (
    resolution, cell, month, field_code, category_code, channel,
    n, n_open, n_resolved, n_rejected, n_late, n_rated, rating_sum, resolve_hours_sum, removal
) FROM STDIN (FORMAT binary)
