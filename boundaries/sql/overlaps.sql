-- Pairs of units of one set whose interiors overlap, with the overlap area in m².
-- Parameters: set_id.
SELECT a.code AS code_a, b.code AS code_b,
       ST_Area(ST_Intersection(a.geom, b.geom)::geography) AS area_m2
FROM boundary_unit AS a
JOIN boundary_unit AS b
  ON b.set_id = a.set_id AND a.id < b.id AND a.geom && b.geom
WHERE a.set_id = %(set_id)s::int
  AND ST_Relate(a.geom, b.geom, '2********')
ORDER BY area_m2 DESC
