-- Area (m²) shared by pairs of units of two sets. Parameters: from_slug, to_slug,
-- from_codes, to_codes (arrays of equal length, one pair per position).
SELECT p.from_code, p.to_code,
       COALESCE(ST_Area(ST_Intersection(a.geom, b.geom)::geography), 0) AS area_m2
FROM unnest(%(from_codes)s::text[], %(to_codes)s::text[]) AS p(from_code, to_code)
JOIN boundary_set AS sa ON sa.slug = %(from_slug)s
JOIN boundary_set AS sb ON sb.slug = %(to_slug)s
JOIN boundary_unit AS a ON a.set_id = sa.id AND a.code = p.from_code
JOIN boundary_unit AS b ON b.set_id = sb.id AND b.code = p.to_code
