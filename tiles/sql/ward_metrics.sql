-- Per unit of a boundary set, what the ward choropleths show, for complaints received in the
-- filters' span of days, fields and categories: sums from the unit rollup, and the open
-- backlog past its due date at the cut-off (from the open complaints, a small share).
-- A complaint counts for its unit on the reception day and, when today's set is another set,
-- for today's unit, as in the rollup.
-- Parameters: set, from_day, to_day, fields, categories, as_of.
WITH units AS (
    SELECT u.code, u.population
    FROM boundary_unit AS u
    JOIN boundary_set AS s ON s.id = u.set_id
    WHERE s.slug = %(set)s
), sums AS (
    SELECT r.unit_code AS code, sum(r.n) AS n, sum(r.n_resolved) AS n_closed,
           sum(r.n_late) AS n_late, sum(r.n_rated) AS n_rated, sum(r.rating_sum) AS rating_sum,
           sum(r.rating_sq_sum) AS rating_sq_sum, sum(r.n_satisfied) AS n_satisfied,
           ARRAY[sum(r.closed_d1), sum(r.closed_d2), sum(r.closed_d3), sum(r.closed_d5),
                 sum(r.closed_d7), sum(r.closed_d10), sum(r.closed_d15), sum(r.closed_d30),
                 sum(r.closed_d60), sum(r.closed_dmore)]::bigint[] AS closed_days
    FROM rollup_unit_day AS r
    WHERE r.boundary_set = %(set)s
      AND (%(from_day)s::date IS NULL OR r.day >= %(from_day)s::date)
      AND (%(to_day)s::date IS NULL OR r.day <= %(to_day)s::date)
      AND (%(fields)s::text[] IS NULL OR r.field_code = ANY(%(fields)s::text[]))
      AND (%(categories)s::text[] IS NULL OR r.category_code = ANY(%(categories)s::text[]))
    GROUP BY r.unit_code
), overdue AS (
    SELECT u.code, count(*) AS n_overdue
    FROM complaint AS c
    CROSS JOIN LATERAL (
        SELECT c.ward_code WHERE c.ward_set = %(set)s
        UNION ALL
        SELECT c.current_ward_code
        WHERE c.current_set = %(set)s AND c.ward_set IS DISTINCT FROM c.current_set
    ) AS u(code)
    WHERE c.status IN ('received', 'assigned', 'processing') AND c.due_at < %(as_of)s
      AND (%(from_day)s::date IS NULL
           OR (c.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date >= %(from_day)s::date)
      AND (%(to_day)s::date IS NULL
           OR (c.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date <= %(to_day)s::date)
      AND (%(fields)s::text[] IS NULL OR c.field_code = ANY(%(fields)s::text[]))
      AND (%(categories)s::text[] IS NULL OR c.category_code = ANY(%(categories)s::text[]))
    GROUP BY u.code
)
SELECT u.code, u.population, coalesce(s.n, 0), coalesce(s.n_closed, 0),
       coalesce(s.n_late, 0), coalesce(s.n_rated, 0), coalesce(s.rating_sum, 0),
       coalesce(s.rating_sq_sum, 0), coalesce(s.n_satisfied, 0),
       coalesce(s.closed_days, array_fill(0::bigint, ARRAY[10])), coalesce(o.n_overdue, 0)
FROM units AS u
LEFT JOIN sums AS s ON s.code = u.code
LEFT JOIN overdue AS o ON o.code = u.code
ORDER BY u.code
