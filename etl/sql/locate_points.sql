-- Point in polygon against the boundary sets worth testing (in force today, or on some
-- reception day of the batch). The polygons drive the join and each probes the points'
-- index, so every prepared polygon is reused for all its points; a CREATE TABLE AS may run
-- in parallel.
CREATE UNLOGGED TABLE {pip} AS
SELECT pt.row_number, p.set_id, p.code
FROM boundary_unit_part AS p
JOIN {points} AS pt ON ST_Intersects(p.geom, pt.geom)
WHERE p.set_id IN (
    SELECT ps.set_id
    FROM {periods} AS ps
    CROSS JOIN (SELECT min(day) AS first_day, max(day) AS last_day FROM {points}) AS b
    WHERE ps.role = 'current' OR (ps.valid_from <= b.last_day AND b.first_day <= ps.valid_to)
)
