-- Unit outlines of a boundary set in one tile (layer 'boundaries') and their label points
-- (layer 'boundary_labels'). Parameters: z, x, y, extent, buffer, margin, set.
WITH env AS (
    SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS tile,
           ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s) AS area
), units AS (
    SELECT u.id, u.code, u.name, u.unit_type, u.parent_name, u.population, u.area_km2,
           s.slug, u.geom_3857, ST_Transform(u.label_point, 3857) AS label
    FROM boundary_unit AS u
    JOIN boundary_set AS s ON s.id = u.set_id
    CROSS JOIN env
    WHERE s.slug = %(set)s AND u.geom_3857 && env.area
)
SELECT coalesce((
    SELECT ST_AsMVT(t, 'boundaries', %(extent)s, 'geom', 'id')
    FROM (
        SELECT u.id, u.code, u.name, u.unit_type AS type, u.parent_name AS parent,
               u.slug AS set, u.population, round(u.area_km2::numeric, 3)::float8 AS area_km2,
               ST_AsMVTGeom(u.geom_3857, env.tile, %(extent)s, %(buffer)s, true) AS geom
        FROM units AS u CROSS JOIN env
    ) AS t
    WHERE t.geom IS NOT NULL
), '') || coalesce((
    SELECT ST_AsMVT(t, 'boundary_labels', %(extent)s, 'geom', 'id')
    FROM (
        SELECT u.id, u.code, u.name, u.unit_type AS type, u.slug AS set,
               ST_AsMVTGeom(u.label, env.tile, %(extent)s, %(buffer)s, true) AS geom
        FROM units AS u CROSS JOIN env
    ) AS t
    WHERE t.geom IS NOT NULL
), '')
