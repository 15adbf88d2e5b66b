-- Stored complaints by geocoding method.
SELECT geocode_method, count(*) AS rows, avg(geocode_confidence) AS confidence
FROM complaint
GROUP BY geocode_method
ORDER BY rows DESC
