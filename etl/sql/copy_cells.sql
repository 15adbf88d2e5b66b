COPY h3_cell_stage (cell, resolution, wkb) FROM STDIN (FORMAT binary)
