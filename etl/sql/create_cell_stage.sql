CREATE TEMP TABLE h3_cell_stage (cell bigint, resolution smallint, wkb bytea) ON COMMIT DROP
