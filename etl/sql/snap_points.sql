-- Points outside every unit of a set: the nearest unit within the tolerance (metres).
-- Parameters: tolerance_m, tolerance_deg (a search distance in degrees >= tolerance_m).
COPY (
    SELECT DISTINCT ON (m.row_number, m.set_id) m.row_number, m.set_id, near.code
    FROM {misses} AS m
    CROSS JOIN LATERAL (
        SELECT p.code, ST_Distance(p.geom::geography, m.geom::geography) AS metres
        FROM boundary_unit_part AS p
        WHERE p.set_id = m.set_id AND ST_DWithin(p.geom, m.geom, %(tolerance_deg)s)
        ORDER BY p.geom <-> m.geom
        LIMIT 3
    ) AS near
    WHERE near.metres <= %(tolerance_m)s
    ORDER BY m.row_number, m.set_id, near.metres, near.code
) TO STDOUT (FORMAT csv)
