-- Move staged units into boundary_unit, adding area, the Web Mercator copy and a label point.
-- Parameters: set_id, population_year, population_method.
INSERT INTO boundary_unit (
    set_id, code, name, name_ascii, unit_type, parent_code, parent_name,
    population, population_year, population_method,
    area_km2, geom, geom_3857, label_point, properties
)
SELECT
    %(set_id)s::int,
    s.code, s.name, s.name_ascii, s.unit_type, s.parent_code, s.parent_name,
    s.population,
    CASE WHEN s.population IS NOT NULL THEN %(population_year)s::smallint END,
    CASE WHEN s.population IS NOT NULL THEN %(population_method)s::text END,
    ST_Area(g.geom::geography) / 1e6,
    g.geom,
    ST_Transform(g.geom, 3857),
    ST_PointOnSurface(g.geom),
    s.properties
FROM boundary_unit_stage AS s
CROSS JOIN LATERAL (SELECT ST_Multi(ST_GeomFromWKB(s.wkb, 4326)) AS geom) AS g
