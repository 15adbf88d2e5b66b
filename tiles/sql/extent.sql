-- Bounds (lon/lat) of the current ward set, for TileJSON.
SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
FROM (
    SELECT ST_Extent(u.geom) AS e
    FROM boundary_unit AS u
    JOIN boundary_set AS s ON s.id = u.set_id
    WHERE s.level = 'ward' AND s.valid_to IS NULL
) AS b
