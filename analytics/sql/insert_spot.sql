-- One spot of a recurring run (the outline as lon/lat WKB, also kept in Web Mercator for
-- tiles). Parameters: run, spot, n, days, weeks, first_day, last_day, lat, lon, area_m2,
-- units, outline.
INSERT INTO recurring_spot (
    run_id, spot, n, days, weeks, first_day, last_day, lat, lon, area_m2, units, outline,
    outline_3857
) VALUES (
    %(run)s, %(spot)s, %(n)s, %(days)s, %(weeks)s, %(first_day)s, %(last_day)s, %(lat)s, %(lon)s,
    %(area_m2)s, %(units)s, ST_GeomFromWKB(%(outline)s, 4326),
    ST_Transform(ST_GeomFromWKB(%(outline)s, 4326), 3857)
)
