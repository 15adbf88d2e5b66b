-- H3 cells of one tile with the complaints counted for the filters, summed from the cell
-- rollup: each cell's hexagon (or its centre, for clusters) with n and n per km². Cells are
-- chosen on the tile's buffered envelope, so shapes crossing the edge appear in both tiles.
-- Identifiers: cell (h3_r7 .. h3_r10), measure (a rollup measure).
-- Parameters: z, x, y, extent, buffer, margin, layer, resolution, centroids, fields,
-- categories, from_day, to_day.
WITH env AS (
    SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS tile,
           ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s) AS area
), cells AS (
    SELECT h.cell, h.geom, h.geom_3857
    FROM h3_cell AS h, env
    WHERE h.resolution = %(resolution)s AND h.geom_3857 && env.area
), counts AS (
    SELECT c.cell, sum(r.{measure})::integer AS n
    FROM cells AS c
    JOIN rollup_cell_day AS r ON r.{cell} = c.cell
    WHERE (%(fields)s::text[] IS NULL OR r.field_code = ANY(%(fields)s::text[]))
      AND (%(categories)s::text[] IS NULL OR r.category_code = ANY(%(categories)s::text[]))
      AND (%(from_day)s::date IS NULL OR r.day >= %(from_day)s::date)
      AND (%(to_day)s::date IS NULL OR r.day <= %(to_day)s::date)
    GROUP BY c.cell
    HAVING sum(r.{measure}) > 0
)
SELECT ST_AsMVT(t, %(layer)s, %(extent)s, 'geom', 'id')
FROM (
    SELECT k.cell AS id, to_hex(k.cell) AS h3, %(resolution)s::integer AS resolution, k.n,
           round((k.n / (ST_Area(c.geom::geography) / 1e6))::numeric, 2)::float8 AS per_km2,
           ST_AsMVTGeom(
               CASE WHEN %(centroids)s THEN ST_Centroid(c.geom_3857) ELSE c.geom_3857 END,
               env.tile, %(extent)s, %(buffer)s, true
           ) AS geom
    FROM counts AS k
    JOIN cells AS c ON c.cell = k.cell
    CROSS JOIN env
) AS t
WHERE t.geom IS NOT NULL
