-- Point in polygon against the given boundary sets, one row per unit with the row numbers of
-- its points (space-separated). The polygons drive the join and each probes the points'
-- index, so every prepared polygon is reused for all its points. Parameters: set_ids.
COPY (
    SELECT p.set_id, p.code, string_agg(pt.row_number::text, ' ') AS row_numbers
    FROM boundary_unit_part AS p
    JOIN {points} AS pt ON ST_Intersects(p.geom, pt.geom)
    WHERE p.set_id = ANY(%(set_ids)s::integer[])
    GROUP BY p.set_id, p.code
) TO STDOUT (FORMAT csv)
