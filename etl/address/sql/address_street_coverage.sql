-- Share of the area of each ward-level unit inside the coverage (convex hull) of one street
-- dataset, for units that touch it. Parameters: dataset.
WITH hull AS MATERIALIZED (
    SELECT ST_ConvexHull(ST_Collect(geom)) AS g
    FROM street_segment
    WHERE dataset = %(dataset)s
)
SELECT s.slug, u.code,
       ST_Area(ST_Intersection(u.geom, hull.g)) / NULLIF(ST_Area(u.geom), 0) AS share
FROM boundary_unit AS u
JOIN boundary_set AS s ON s.id = u.set_id
CROSS JOIN hull
WHERE s.level = 'ward' AND u.geom && hull.g
