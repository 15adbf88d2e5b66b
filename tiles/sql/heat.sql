-- H3 cells of one tile with the complaints counted for the filters (cell_counts.sql): each
-- cell's hexagon (or its centre, for clusters) with n and n per km². Cells are chosen on the
-- tile's buffered envelope, so shapes crossing the edge appear in both tiles.
-- Fragment: counts (cell_counts.sql). Parameters: z, x, y, extent, buffer, margin, layer,
-- resolution, centroids, and those of cell_counts.sql.
WITH env AS (
    SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS tile,
           ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s) AS area
), cells AS (
    SELECT h.cell, h.geom_3857, h.area_km2
    FROM h3_cell AS h, env
    WHERE h.resolution = %(resolution)s AND h.geom_3857 && env.area
), counts AS (
    {counts}
)
SELECT ST_AsMVT(t, %(layer)s, %(extent)s, 'geom', 'id')
FROM (
    SELECT k.cell AS id, to_hex(k.cell) AS h3, %(resolution)s::integer AS resolution, k.n,
           round((k.n / c.area_km2)::numeric, 2)::float8 AS per_km2,
           ST_AsMVTGeom(
               CASE WHEN %(centroids)s THEN ST_Centroid(c.geom_3857) ELSE c.geom_3857 END,
               env.tile, %(extent)s, %(buffer)s, true
           ) AS geom
    FROM counts AS k
    JOIN cells AS c ON c.cell = k.cell
    CROSS JOIN env
) AS t
WHERE t.geom IS NOT NULL
