-- Hexagons of new cells: lon/lat and Web Mercator shapes and areas come computed (h3ronpy).
INSERT INTO h3_cell (cell, resolution, geom, geom_3857, area_km2)
SELECT s.cell, s.resolution, ST_GeomFromWKB(s.wkb, 4326), ST_GeomFromWKB(s.wkb_3857, 3857),
       s.area_km2
FROM h3_cell_stage AS s
ON CONFLICT (cell) DO NOTHING
