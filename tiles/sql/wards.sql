-- Units of a boundary set in one tile with their choropleth metrics, which come computed for
-- the whole set (one array per metric, in the order of `codes`).
-- Parameters: z, x, y, extent, buffer, margin, set, codes, n, per_10k, satisfaction,
-- satisfied_share, rated, on_time_rate, timed, overdue, median_days, closed.
WITH env AS (
    SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS tile,
           ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s) AS area
), metrics AS (
    SELECT *
    FROM unnest(
        %(codes)s::text[], %(n)s::integer[], %(per_10k)s::float8[], %(satisfaction)s::float8[],
        %(satisfied_share)s::float8[], %(rated)s::integer[], %(on_time_rate)s::float8[],
        %(timed)s::integer[], %(overdue)s::integer[], %(median_days)s::float8[],
        %(closed)s::integer[]
    ) AS m(code, n, per_10k, satisfaction, satisfied_share, rated, on_time_rate, timed,
           overdue, median_days, closed)
)
SELECT ST_AsMVT(t, 'wards', %(extent)s, 'geom', 'id')
FROM (
    SELECT u.id, u.code, u.name, u.population, m.n, m.per_10k, m.satisfaction,
           m.satisfied_share, m.rated, m.on_time_rate, m.timed, m.overdue, m.median_days,
           m.closed,
           ST_AsMVTGeom(u.geom_3857, env.tile, %(extent)s, %(buffer)s, true) AS geom
    FROM boundary_unit AS u
    JOIN boundary_set AS s ON s.id = u.set_id
    JOIN metrics AS m ON m.code = u.code
    CROSS JOIN env
    WHERE s.slug = %(set)s AND u.geom_3857 && env.area
) AS t
WHERE t.geom IS NOT NULL
