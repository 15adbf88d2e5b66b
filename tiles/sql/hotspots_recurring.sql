-- Spots of a stored recurring run (recurring_spot) in one tile: the outline with the spot's
-- rank, counts, first and last day and the names of the units it touches. Parameters: z, x,
-- y, extent, buffer, margin, layer, run.
WITH env AS (
    SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS tile,
           ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s) AS area
)
SELECT ST_AsMVT(t, %(layer)s, %(extent)s, 'geom', 'id')
FROM (
    SELECT s.spot AS id, s.spot, s.n, s.days, s.weeks,
           to_char(s.first_day, 'YYYY-MM-DD') AS first_day,
           to_char(s.last_day, 'YYYY-MM-DD') AS last_day, s.area_m2,
           (SELECT string_agg(u ->> 'name', ', ' ORDER BY u ->> 'code')
            FROM jsonb_array_elements(s.units) AS u) AS wards,
           %(run)s::bigint AS run,
           ST_AsMVTGeom(s.outline_3857, env.tile, %(extent)s, %(buffer)s, true) AS geom
    FROM recurring_spot AS s
    CROSS JOIN env
    WHERE s.run_id = %(run)s AND s.outline_3857 && env.area
) AS t
WHERE t.geom IS NOT NULL
