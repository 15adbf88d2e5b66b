-- Points of the complaints whose content changed (written again from their new rows).
DELETE FROM complaint_point AS p
USING {updates} AS u
WHERE p.id = u.id
