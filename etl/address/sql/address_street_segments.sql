-- Named segments of one street dataset: midpoint, whether an end touches the edge of the
-- dataset's coverage (its convex hull: a road cut there continues outside), and the units of
-- each ward-level boundary set within near_deg of the midpoint (two of one set: the segment
-- runs along their boundary). Parameters: dataset, edge_m, near_deg.
WITH hull AS MATERIALIZED (
    SELECT ST_Boundary(ST_ConvexHull(ST_Collect(geom)))::geography AS edge
    FROM street_segment
    WHERE dataset = %(dataset)s
),
seg AS MATERIALIZED (
    SELECT id, name_key, street_type, geom, ST_LineInterpolatePoint(geom, 0.5) AS mid
    FROM street_segment
    WHERE dataset = %(dataset)s AND name_key <> ''
),
inside AS (
    SELECT seg.id, array_agg(DISTINCT s.slug || ':' || p.code) AS units
    FROM seg
    JOIN boundary_unit_part AS p ON ST_DWithin(p.geom, seg.mid, %(near_deg)s)
    JOIN boundary_set AS s ON s.id = p.set_id
    WHERE s.level = 'ward'
    GROUP BY seg.id
)
SELECT seg.id, seg.name_key, seg.street_type, ST_X(seg.mid) AS lon, ST_Y(seg.mid) AS lat,
       ST_DWithin(hull.edge, ST_StartPoint(seg.geom)::geography, %(edge_m)s)
           OR ST_DWithin(hull.edge, ST_EndPoint(seg.geom)::geography, %(edge_m)s) AS near_edge,
       COALESCE(inside.units, '{}') AS units
FROM seg
CROSS JOIN hull
LEFT JOIN inside ON inside.id = seg.id
ORDER BY seg.id
