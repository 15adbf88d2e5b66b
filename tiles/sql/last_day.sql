-- The last local day with complaints (the emerging hot spots of the hotspots layer end on it
-- unless `to` is given).
SELECT max(day) FROM rollup_cell_day
