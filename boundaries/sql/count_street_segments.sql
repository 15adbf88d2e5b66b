-- Fingerprint of the street segments stored for one dataset: their number and total length
-- (metres, rounded to 0.1). Parameters: dataset.
SELECT count(*), COALESCE(round(sum(length_m)::numeric, 1), 0)::float8
FROM street_segment
WHERE dataset = %(dataset)s
