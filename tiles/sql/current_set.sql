-- The ward-level boundary set in force today.
SELECT slug FROM boundary_set WHERE level = 'ward' AND valid_to IS NULL ORDER BY slug LIMIT 1
