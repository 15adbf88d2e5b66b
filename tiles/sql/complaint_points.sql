-- Complaints of one tile as points, without personal data: id, field, category, status and
-- local reception day; at most `limit` rows, and none encoded when that many are found (the
-- caller aggregates instead). Read from complaint_point: narrow rows in H3 order.
-- Parameters: z, x, y, extent, buffer, margin, layer, limit, fields, categories, from_day,
-- to_day, status, late, channels, units.
WITH env AS (
    SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS tile,
           ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s) AS area
), picked AS (
    SELECT p.id, p.field_code, p.category_code, p.status, p.received_day, p.geom
    FROM complaint_point AS p, env
    WHERE p.geom && env.area
      AND (%(fields)s::text[] IS NULL OR p.field_code = ANY(%(fields)s::text[]))
      AND (%(categories)s::text[] IS NULL OR p.category_code = ANY(%(categories)s::text[]))
      AND (%(channels)s::text[] IS NULL OR p.channel = ANY(%(channels)s::text[]))
      AND (%(units)s::text[] IS NULL OR p.handling_unit_code = ANY(%(units)s::text[]))
      AND (%(from_day)s::date IS NULL OR p.received_day >= %(from_day)s::date)
      AND (%(to_day)s::date IS NULL OR p.received_day <= %(to_day)s::date)
      AND (%(status)s::text IS NULL
           OR (%(status)s = 'open' AND p.status IN ('received', 'assigned', 'processing'))
           OR (%(status)s = 'resolved' AND p.status IN ('resolved', 'closed'))
           OR (%(status)s = 'rejected' AND p.status = 'rejected'))
      AND (NOT %(late)s OR p.late)
    LIMIT %(limit)s
)
SELECT CASE WHEN k.n < %(limit)s THEN (  -- a full LIMIT is aggregated: not encoded here
    SELECT ST_AsMVT(t, %(layer)s, %(extent)s, 'geom', 'id')
    FROM (
        SELECT p.id, p.field_code AS field, coalesce(p.category_code, '') AS category,
               p.status, p.received_day AS received,  -- text in the ISO DateStyle
               ST_AsMVTGeom(p.geom, env.tile, %(extent)s, %(buffer)s, true) AS geom
        FROM picked AS p
        CROSS JOIN env
    ) AS t
    WHERE t.geom IS NOT NULL
) END, k.n
FROM (SELECT count(*) AS n FROM picked) AS k  -- rows picked, not features kept
