-- Remove the street segments of one dataset. Parameters: dataset.
DELETE FROM street_segment WHERE dataset = %(dataset)s
