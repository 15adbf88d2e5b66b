CREATE TEMP TABLE IF NOT EXISTS h3_cell_stage (
    cell bigint, resolution smallint, wkb bytea, wkb_3857 bytea, area_km2 float8
) ON COMMIT DROP
