-- Ward-level boundary sets and their validity (the versions an address can be written in).
SELECT slug, valid_from, valid_to
FROM boundary_set
WHERE level = 'ward'
ORDER BY valid_from NULLS FIRST, slug
