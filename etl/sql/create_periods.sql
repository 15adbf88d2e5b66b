-- Which boundary set answers "the unit on the reception date" (role 'dated') and "the unit
-- today" (role 'current'). A list-only version (no polygons) is reached through the polygons
-- of `via` and the crosswalk. Parameters: list_only (jsonb array of
-- objects with version, via, valid_from, valid_to).
CREATE UNLOGGED TABLE {periods} AS
SELECT 'dated'::text AS role, s.id AS set_id, s.slug AS target, NULL::text AS via,
       coalesce(s.valid_from, '-infinity'::date) AS valid_from,
       coalesce(s.valid_to, 'infinity'::date) AS valid_to
FROM boundary_set AS s
WHERE s.level = 'ward'
UNION ALL
SELECT 'current', s.id, s.slug, NULL, '-infinity'::date, 'infinity'::date
FROM boundary_set AS s
WHERE s.level = 'ward' AND s.valid_to IS NULL
UNION ALL
SELECT 'dated', s.id, l.version, l.via, l.valid_from, l.valid_to
FROM jsonb_to_recordset(%(list_only)s::jsonb)
         AS l(version text, via text, valid_from date, valid_to date)
JOIN boundary_set AS s ON s.slug = l.via
