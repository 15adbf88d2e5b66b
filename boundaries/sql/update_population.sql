-- Set the population of units of one set. Parameters: slug, codes, populations (arrays),
-- methods (array), year.
UPDATE boundary_unit AS u
SET population = v.population,
    population_method = v.method,
    population_year = CASE WHEN v.population IS NOT NULL THEN %(year)s::smallint END
FROM unnest(%(codes)s::text[], %(populations)s::bigint[], %(methods)s::text[])
         AS v(code, population, method),
     boundary_set AS s
WHERE s.slug = %(slug)s AND u.set_id = s.id AND u.code = v.code
