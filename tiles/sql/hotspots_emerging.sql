-- Cells of a stored emerging run (emerging_cell) with a pattern, in one tile: the hexagon with
-- its pattern (English key and Vietnamese name), the trend of its z-scores, the last step's z
-- and its counts. Parameters: z, x, y, extent, buffer, margin, layer, run, resolution, names
-- (pattern -> Vietnamese name, jsonb).
WITH env AS (
    SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS tile,
           ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s) AS area
)
SELECT ST_AsMVT(t, %(layer)s, %(extent)s, 'geom', 'id')
FROM (
    SELECT c.cell AS id, to_hex(c.cell) AS h3, c.pattern AS category,
           %(names)s::jsonb ->> c.pattern AS name, split_part(c.pattern, ' ', 2) AS family,
           round(c.tau::numeric, 3)::float8 AS tau, c.p_trend AS p,
           round(c.z_last::numeric, 2)::float8 AS z, c.n, c.n_last_step AS n_last,
           c.hot_steps, c.cold_steps, %(run)s::bigint AS run,
           ST_AsMVTGeom(h.geom_3857, env.tile, %(extent)s, %(buffer)s, true) AS geom
    FROM emerging_cell AS c
    JOIN h3_cell AS h ON h.cell = c.cell
    CROSS JOIN env
    WHERE c.run_id = %(run)s AND c.pattern <> 'no pattern'
      AND h.resolution = %(resolution)s AND h.geom_3857 && env.area
) AS t
WHERE t.geom IS NOT NULL
