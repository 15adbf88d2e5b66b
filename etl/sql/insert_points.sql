-- The points of the batch's new complaints, written in H3 order: the points of a tile share
-- pages.
-- Parameters: batch, after (the highest id before the batch), tz.
INSERT INTO complaint_point (
    id, received_day, late, geom, field_code, category_code, channel, handling_unit_code, status
)
SELECT c.id, (c.received_at AT TIME ZONE %(tz)s)::date,
       coalesce(coalesce(c.resolved_at, c.closed_at) > c.due_at, false), c.geom_3857,
       c.field_code, c.category_code, c.channel, c.handling_unit_code, c.status
FROM complaint AS c
WHERE c.id > %(after)s AND c.batch_id = %(batch)s AND c.geom_3857 IS NOT NULL
ORDER BY c.h3_r10, c.id
