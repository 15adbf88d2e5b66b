-- Point in polygon against one boundary set: its polygons drive the join and each probes the
-- points' index, so every prepared polygon is reused for all its points. Parameters: set_id.
INSERT INTO {pip} (row_number, set_id, code)
SELECT pt.row_number, p.set_id, p.code
FROM boundary_unit_part AS p
JOIN {points} AS pt ON ST_Intersects(p.geom, pt.geom)
WHERE p.set_id = %(set_id)s
