-- Units of every ward-level boundary set (names of versions that have polygons).
SELECT s.slug, u.code, u.name, u.unit_type, u.parent_code, u.parent_name
FROM boundary_unit AS u
JOIN boundary_set AS s ON s.id = u.set_id
WHERE s.level = 'ward'
ORDER BY s.slug, u.code
