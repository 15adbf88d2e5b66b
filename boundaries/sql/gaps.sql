-- Holes inside the union of a set's units: land covered by no unit. Parameters: set_id.
-- Returns each gap's area in m² and a point inside it (lon, lat).
WITH merged AS (
    SELECT (ST_Dump(ST_Union(geom))).geom AS poly
    FROM boundary_unit
    WHERE set_id = %(set_id)s::int
),
rings AS (
    SELECT (ST_DumpRings(poly)).* FROM merged
)
SELECT ST_Area(geom::geography) AS area_m2,
       ST_X(ST_PointOnSurface(geom)) AS lon,
       ST_Y(ST_PointOnSurface(geom)) AS lat
FROM rings
WHERE path[1] > 0
ORDER BY area_m2 DESC
