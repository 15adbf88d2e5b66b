-- Significant cells of a stored Gi* run (hotspot_cell) in one tile: the hexagon with its
-- class, z-score, adjusted p and count. Parameters: z, x, y, extent, buffer, margin, layer,
-- run, resolution.
WITH env AS (
    SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS tile,
           ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s) AS area
)
SELECT ST_AsMVT(t, %(layer)s, %(extent)s, 'geom', 'id')
FROM (
    SELECT c.cell AS id, to_hex(c.cell) AS h3, c.class, round(c.z::numeric, 2)::float8 AS z,
           c.p_fdr, c.n, %(run)s::bigint AS run,
           ST_AsMVTGeom(h.geom_3857, env.tile, %(extent)s, %(buffer)s, true) AS geom
    FROM hotspot_cell AS c
    JOIN h3_cell AS h ON h.cell = c.cell
    CROSS JOIN env
    WHERE c.run_id = %(run)s AND c.class <> 0
      AND h.resolution = %(resolution)s AND h.geom_3857 && env.area
) AS t
WHERE t.geom IS NOT NULL
