COPY hotspot_cell (run_id, cell, n, z, p, p_fdr, class) FROM STDIN (FORMAT binary)
