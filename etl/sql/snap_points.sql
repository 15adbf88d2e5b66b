-- Points outside every unit of a role's sets: the nearest unit within the tolerance (metres).
-- Only points lacking a hit for some role are looked at (a few in a thousand).
-- Parameters: tolerance_m, tolerance_deg (a search distance in degrees >= tolerance_m).
INSERT INTO {hits} (row_number, role, target, via, code, snapped)
WITH found AS (
    SELECT h.row_number, count(*) AS roles FROM {hits} AS h GROUP BY h.row_number
), incomplete AS MATERIALIZED (
    SELECT pt.row_number, pt.day, pt.geom
    FROM {points} AS pt
    LEFT JOIN found AS f ON f.row_number = pt.row_number
    WHERE coalesce(f.roles, 0) < 2
), missing AS MATERIALIZED (
    SELECT pt.row_number, pt.geom, ps.role, ps.set_id, ps.target, ps.via
    FROM incomplete AS pt
    JOIN {periods} AS ps
      ON ps.role = 'current' OR pt.day BETWEEN ps.valid_from AND ps.valid_to
    WHERE NOT EXISTS (
        SELECT 1 FROM {hits} AS h WHERE h.row_number = pt.row_number AND h.role = ps.role
    )
)
SELECT DISTINCT ON (m.row_number, m.role)
       m.row_number, m.role, m.target, m.via, near.code, true
FROM missing AS m
CROSS JOIN LATERAL (
    SELECT p.code, ST_Distance(p.geom::geography, m.geom::geography) AS metres
    FROM boundary_unit_part AS p
    WHERE p.set_id = m.set_id AND ST_DWithin(p.geom, m.geom, %(tolerance_deg)s)
    ORDER BY p.geom <-> m.geom
    LIMIT 3
) AS near
WHERE near.metres <= %(tolerance_m)s
ORDER BY m.row_number, m.role, near.metres, m.target
