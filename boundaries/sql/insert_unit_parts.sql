-- Split the units of a set into small polygons (at most 64 vertices) for fast point-in-polygon
-- joins. Parameters: set_id.
INSERT INTO boundary_unit_part (set_id, code, geom)
SELECT u.set_id, u.code, ST_Subdivide(u.geom, 64)
FROM boundary_unit AS u
WHERE u.set_id = %(set_id)s::int
