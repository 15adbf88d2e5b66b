-- The outline of a boundary set (its units merged), lon/lat WKB. Parameters: set.
SELECT ST_AsBinary(ST_Union(u.geom))
FROM boundary_unit AS u
JOIN boundary_set AS s ON s.id = u.set_id
WHERE s.slug = %(set)s
