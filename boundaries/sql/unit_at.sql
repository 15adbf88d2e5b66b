-- The unit of one named set containing a point. Parameters: slug, lon, lat.
SELECT u.code, u.name, u.unit_type, u.parent_code, u.parent_name
FROM boundary_set AS s
JOIN boundary_unit AS u ON u.set_id = s.id
WHERE s.slug = %(slug)s
  AND ST_Covers(u.geom, ST_SetSRID(ST_MakePoint(%(lon)s::float8, %(lat)s::float8), 4326))
ORDER BY u.code
LIMIT 1
