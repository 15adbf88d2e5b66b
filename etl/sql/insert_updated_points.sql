-- The points of the complaints whose content changed, from their new rows.
-- Parameters: batch, after, tz (as insert_points.sql).
INSERT INTO complaint_point (
    id, received_day, late, geom, field_code, category_code, channel, handling_unit_code, status
)
SELECT c.id, (c.received_at AT TIME ZONE %(tz)s)::date,
       coalesce(coalesce(c.resolved_at, c.closed_at) > c.due_at, false), c.geom_3857,
       c.field_code, c.category_code, c.channel, c.handling_unit_code, c.status
FROM complaint AS c
JOIN {updates} AS u ON u.id = c.id
WHERE c.id <= %(after)s AND c.geom_3857 IS NOT NULL
ORDER BY c.h3_r10, c.id
