-- Extent of every ward-level boundary set (to recognise swapped or far-away coordinates).
SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
FROM (
    SELECT ST_Extent(u.geom) AS e
    FROM boundary_unit AS u
    JOIN boundary_set AS s ON s.id = u.set_id
    WHERE s.level = 'ward'
) AS x
WHERE e IS NOT NULL
