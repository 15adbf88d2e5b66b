-- H3 cells of one tile with the complaints counted for the filters: each cell's hexagon (or its
-- centre, for clusters) with n and n per km². Whole months come from the monthly rollup (cells
-- of resolution 7-9, by field or for all fields, '*'), the days at the ends of the span (or
-- every day, for categories and resolution 10) from the daily rollup. Cells are chosen on the
-- tile's buffered envelope, so shapes crossing the edge appear in both tiles.
-- Identifiers: cell (h3_r7 .. h3_r10), measure (a rollup measure).
-- Parameters: z, x, y, extent, buffer, margin, layer, resolution, centroids, fields,
-- categories, use_months, month_from, month_to (exclusive), use_days, day_from_1, day_to_1,
-- day_from_2, day_to_2 (two spans of days, bounds included; NULL spans are empty).
WITH env AS (
    SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS tile,
           ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s) AS area
), cells AS (
    SELECT h.cell, h.geom_3857, h.area_km2
    FROM h3_cell AS h, env
    WHERE h.resolution = %(resolution)s AND h.geom_3857 && env.area
), counts AS (
    SELECT k.cell, sum(k.n)::integer AS n
    FROM (
        SELECT m.cell, m.{measure} AS n
        FROM cells AS c
        JOIN rollup_cell_month AS m ON m.resolution = %(resolution)s AND m.cell = c.cell
        WHERE %(use_months)s
          AND m.field_code = ANY(coalesce(%(fields)s::text[], '{{*}}'))
          AND (%(month_from)s::date IS NULL OR m.month >= %(month_from)s::date)
          AND (%(month_to)s::date IS NULL OR m.month < %(month_to)s::date)
        UNION ALL
        SELECT c.cell, r.{measure}
        FROM cells AS c
        JOIN rollup_cell_day AS r ON r.{cell} = c.cell
        WHERE %(use_days)s
          AND (r.day BETWEEN %(day_from_1)s::date AND %(day_to_1)s::date
               OR r.day BETWEEN %(day_from_2)s::date AND %(day_to_2)s::date)
          AND (%(fields)s::text[] IS NULL OR r.field_code = ANY(%(fields)s::text[]))
          AND (%(categories)s::text[] IS NULL OR r.category_code = ANY(%(categories)s::text[]))
    ) AS k
    GROUP BY k.cell
    HAVING sum(k.n) > 0
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
