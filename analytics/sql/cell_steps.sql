-- Complaints per H3 cell ({cell}) and time step: step 0 ends on `last_day`, step s covers the
-- `step_days` days before step s-1. Parameters: last_day, step_days, steps, fields,
-- categories.
SELECT r.{cell} AS cell, (%(steps)s - 1 - (%(last_day)s::date - r.day) / %(step_days)s) AS step,
       sum(r.n)::bigint AS n
FROM rollup_cell_day AS r
WHERE r.{cell} IS NOT NULL
  AND r.day <= %(last_day)s::date
  AND r.day > %(last_day)s::date - %(steps)s * %(step_days)s
  AND (%(fields)s::text[] IS NULL OR r.field_code = ANY(%(fields)s::text[]))
  AND (%(categories)s::text[] IS NULL OR r.category_code = ANY(%(categories)s::text[]))
GROUP BY 1, 2
