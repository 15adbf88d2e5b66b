-- Complaints per km² of every H3 cell over today's ward set, for the filters (cell_counts.sql):
-- what the heat legend classifies. Fragment: counts. Parameters: those of cell_counts.sql.
WITH area AS (
    SELECT ST_Transform(ST_SetSRID(ST_Extent(u.geom), 4326), 3857) AS box
    FROM boundary_unit AS u
    JOIN boundary_set AS s ON s.id = u.set_id
    WHERE s.level = 'ward' AND s.valid_to IS NULL
), cells AS (
    SELECT h.cell, h.geom_3857, h.area_km2
    FROM h3_cell AS h, area
    WHERE h.resolution = %(resolution)s AND h.geom_3857 && area.box
), counts AS (
    {counts}
)
SELECT k.n / c.area_km2
FROM counts AS k
JOIN cells AS c ON c.cell = k.cell
