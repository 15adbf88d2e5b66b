-- Complaints of one tile as points, without personal data: id, field, category, status and
-- local reception day; at most `limit` rows, and none encoded when that many are found (the
-- caller aggregates instead).
-- Parameters: z, x, y, extent, buffer, margin, layer, limit, tz, fields, categories,
-- from_day, to_day, status, late, channels, units.
WITH env AS (
    SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS tile,
           ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s) AS area
), picked AS (
    SELECT c.id, c.field_code, c.category_code, c.status, c.received_at, c.geom_3857
    FROM complaint AS c, env
    WHERE c.geom_3857 && env.area
      AND (%(fields)s::text[] IS NULL OR c.field_code = ANY(%(fields)s::text[]))
      AND (%(categories)s::text[] IS NULL OR c.category_code = ANY(%(categories)s::text[]))
      AND (%(channels)s::text[] IS NULL OR c.channel = ANY(%(channels)s::text[]))
      AND (%(units)s::text[] IS NULL OR c.handling_unit_code = ANY(%(units)s::text[]))
      AND (%(from_day)s::date IS NULL
           OR (c.received_at AT TIME ZONE %(tz)s)::date >= %(from_day)s::date)
      AND (%(to_day)s::date IS NULL
           OR (c.received_at AT TIME ZONE %(tz)s)::date <= %(to_day)s::date)
      AND (%(status)s::text IS NULL
           OR (%(status)s = 'open' AND c.status IN ('received', 'assigned', 'processing'))
           OR (%(status)s = 'resolved' AND c.status IN ('resolved', 'closed'))
           OR (%(status)s = 'rejected' AND c.status = 'rejected'))
      AND (NOT %(late)s OR coalesce(c.resolved_at, c.closed_at) > c.due_at)
    LIMIT %(limit)s
)
SELECT CASE WHEN k.n < %(limit)s THEN (  -- a full LIMIT is aggregated: not encoded here
    SELECT ST_AsMVT(t, %(layer)s, %(extent)s, 'geom', 'id')
    FROM (
        SELECT p.id, p.field_code AS field, coalesce(p.category_code, '') AS category,
               p.status,
               ((p.received_at AT TIME ZONE %(tz)s)::date)::text AS received,  -- ISO DateStyle
               ST_AsMVTGeom(p.geom_3857, env.tile, %(extent)s, %(buffer)s, true) AS geom
        FROM picked AS p
        CROSS JOIN env
    ) AS t
    WHERE t.geom IS NOT NULL
) END, k.n
FROM (SELECT count(*) AS n FROM picked) AS k  -- rows picked, not features kept
