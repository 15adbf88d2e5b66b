-- Complaints per H3 cell ({cell}: one of h3_r7 .. h3_r10) for fields, categories and a span of
-- local reception days, from the daily cell rollup.
-- Parameters: fields, categories, from_day, to_day.
SELECT r.{cell} AS cell, sum(r.n)::bigint AS n
FROM rollup_cell_day AS r
WHERE r.{cell} IS NOT NULL
  AND (%(fields)s::text[] IS NULL OR r.field_code = ANY(%(fields)s::text[]))
  AND (%(categories)s::text[] IS NULL OR r.category_code = ANY(%(categories)s::text[]))
  AND (%(from_day)s::date IS NULL OR r.day >= %(from_day)s::date)
  AND (%(to_day)s::date IS NULL OR r.day <= %(to_day)s::date)
GROUP BY r.{cell}
HAVING sum(r.n) > 0
