-- Ratings per unit of a boundary set for complaints received in a span of local days, fields
-- and categories, from the unit rollup (a complaint counts for its unit on the reception day
-- and, when today's set is another, for today's unit). Parameters: set, from_day, to_day,
-- fields, categories.
SELECT u.code, u.name, coalesce(sum(r.n), 0)::bigint AS n,
       coalesce(sum(r.n_rated), 0)::bigint AS rated,
       coalesce(sum(r.rating_sum), 0)::bigint AS rating_sum,
       coalesce(sum(r.rating_sq_sum), 0)::bigint AS rating_sq_sum,
       coalesce(sum(r.n_satisfied), 0)::bigint AS satisfied
FROM boundary_unit AS u
JOIN boundary_set AS s ON s.id = u.set_id
LEFT JOIN rollup_unit_day AS r
       ON r.boundary_set = s.slug AND r.unit_code = u.code
      AND (%(from_day)s::date IS NULL OR r.day >= %(from_day)s::date)
      AND (%(to_day)s::date IS NULL OR r.day <= %(to_day)s::date)
      AND (%(fields)s::text[] IS NULL OR r.field_code = ANY(%(fields)s::text[]))
      AND (%(categories)s::text[] IS NULL OR r.category_code = ANY(%(categories)s::text[]))
WHERE s.slug = %(set)s
GROUP BY u.code, u.name
ORDER BY u.code
