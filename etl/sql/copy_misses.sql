COPY {misses} (row_number, set_id, geom) FROM STDIN (FORMAT binary)
