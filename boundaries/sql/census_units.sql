-- Units of a set with their population. Parameters: slug.
SELECT u.code, u.population, u.population_year
FROM boundary_unit AS u
JOIN boundary_set AS s ON s.id = u.set_id
WHERE s.slug = %(slug)s
