-- Which boundary set answers "the unit on the reception date" (role 'dated') and "the unit
-- today" (role 'current'); NULL bounds are open. A list-only version (no polygons) is reached
-- through the polygons of `via` and the crosswalk. Parameters: list_only (jsonb array of
-- objects with version, via, valid_from, valid_to).
SELECT 'dated'::text AS role, s.id AS set_id, s.slug AS target, NULL::text AS via,
       s.valid_from, s.valid_to
FROM boundary_set AS s
WHERE s.level = 'ward'
UNION ALL
SELECT 'current', s.id, s.slug, NULL, NULL, NULL
FROM boundary_set AS s
WHERE s.level = 'ward' AND s.valid_to IS NULL
UNION ALL
SELECT 'dated', s.id, l.version, l.via, l.valid_from, l.valid_to
FROM jsonb_to_recordset(%(list_only)s::jsonb)
         AS l(version text, via text, valid_from date, valid_to date)
JOIN boundary_set AS s ON s.slug = l.via
ORDER BY 1, 3
