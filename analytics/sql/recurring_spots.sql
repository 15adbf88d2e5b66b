-- The spots of a stored recurring run, most persistent first, with the outline as GeoJSON
-- (lon/lat). Parameters: id.
SELECT n, days, weeks, first_day, last_day, lat, lon, area_m2,
       ST_AsGeoJSON(outline, 6) AS outline, units
FROM recurring_spot
WHERE run_id = %(id)s
ORDER BY spot
