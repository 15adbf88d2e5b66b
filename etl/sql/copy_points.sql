COPY {points} (row_number, day, geom) FROM STDIN (FORMAT binary)
