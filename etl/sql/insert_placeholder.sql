-- Parameters: lat, lon, repeats, batch_id.
INSERT INTO placeholder_coordinate (lat, lon, repeats, first_batch_id)
VALUES (%(lat)s, %(lon)s, %(repeats)s, %(batch_id)s)
ON CONFLICT (lat, lon) DO UPDATE SET repeats = placeholder_coordinate.repeats + EXCLUDED.repeats
