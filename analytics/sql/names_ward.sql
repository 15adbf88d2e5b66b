-- Units of the ward set in force today.
SELECT u.code, u.name
FROM boundary_unit AS u
JOIN boundary_set AS s ON s.id = u.set_id
WHERE s.level = 'ward' AND s.valid_to IS NULL
