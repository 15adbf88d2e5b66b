COPY emerging_cell (
    run_id, cell, pattern, n, n_last_step, z_last, tau, p_trend, hot_steps, cold_steps
) FROM STDIN (FORMAT binary)
