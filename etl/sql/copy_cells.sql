COPY h3_cell_stage (cell, resolution, wkb, wkb_3857, area_km2) FROM STDIN (FORMAT binary)
