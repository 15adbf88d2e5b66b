-- Complaints per unit of a boundary set, field and week: week 0 ends on `last_day`, week w
-- covers the 7 days before week w-1; `weeks` weeks in all. Parameters: set, last_day, weeks.
SELECT r.unit_code, r.field_code, (%(weeks)s - 1 - (%(last_day)s::date - r.day) / 7) AS week,
       sum(r.n)::bigint AS n
FROM rollup_unit_day AS r
WHERE r.boundary_set = %(set)s
  AND r.day <= %(last_day)s::date
  AND r.day > %(last_day)s::date - %(weeks)s * 7
GROUP BY 1, 2, 3
