-- The boundary sets worth testing: in force today, or in force on some reception day of the
-- batch (directly or as the polygons of a list-only version).
SELECT DISTINCT ps.set_id
FROM {periods} AS ps
CROSS JOIN (SELECT min(day) AS first_day, max(day) AS last_day FROM {points}) AS b
WHERE ps.role = 'current' OR (ps.valid_from <= b.last_day AND b.first_day <= ps.valid_to)
ORDER BY ps.set_id
