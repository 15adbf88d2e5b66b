-- Points of the staged rows that have coordinates, in spatial order, with a spatial index, so
-- that the point-in-polygon join can walk the polygons and reuse each prepared polygon.
-- Parameters: tz (zone of the reception day).
CREATE UNLOGGED TABLE {points} AS
SELECT s.row_number, (s.received_at AT TIME ZONE %(tz)s)::date AS day,
       ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326) AS geom
FROM {stage} AS s
WHERE s.geocode_method = 'pending'
ORDER BY s.h3_r10
