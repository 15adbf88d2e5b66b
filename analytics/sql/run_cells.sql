-- A run's cells with their hexagon (GeoJSON, lon/lat), significant ones only unless `all`.
-- Parameters: id, all.
SELECT c.cell, c.n, c.z, c.p, c.p_fdr, c.class, ST_AsGeoJSON(h.geom, 7) AS geometry
FROM hotspot_cell AS c
JOIN h3_cell AS h ON h.cell = c.cell
WHERE c.run_id = %(id)s AND (%(all)s OR c.class <> 0)
ORDER BY c.z DESC
