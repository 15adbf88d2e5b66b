INSERT INTO h3_cell (cell, resolution, geom, geom_3857, area_km2)
SELECT s.cell, s.resolution, g.geom, ST_Transform(g.geom, 3857),
       ST_Area(g.geom::geography) / 1e6
FROM h3_cell_stage AS s
CROSS JOIN LATERAL (SELECT ST_GeomFromWKB(s.wkb, 4326) AS geom) AS g
ON CONFLICT (cell) DO NOTHING
