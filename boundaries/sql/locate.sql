-- The unit containing a point in each boundary set in force on a date (one per set).
-- Parameters: lon, lat, on (date).
SELECT DISTINCT ON (s.slug)
       s.slug, s.level, s.valid_from, s.valid_to,
       u.code, u.name, u.unit_type, u.parent_code, u.parent_name
FROM boundary_set AS s
JOIN boundary_unit AS u ON u.set_id = s.id
WHERE (s.valid_from IS NULL OR s.valid_from <= %(on)s::date)
  AND (s.valid_to IS NULL OR %(on)s::date <= s.valid_to)
  AND ST_Covers(u.geom, ST_SetSRID(ST_MakePoint(%(lon)s::float8, %(lat)s::float8), 4326))
ORDER BY s.slug, u.code
