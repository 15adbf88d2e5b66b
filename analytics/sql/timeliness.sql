-- The four-way timeliness split at a cut-off instant, per {dimension} (handling unit, field or
-- today's ward), for complaints received in a span of local days and by the cut-off:
-- closed on time, closed late, open not yet due, open overdue; rejected ones apart.
-- "Closed" is the first of resolved_at and closed_at; a complaint without a due time is
-- never late. Parameters: as_of, from_day, to_day, fields, categories.
WITH picked AS (
    SELECT c.{dimension} AS code, c.received_at, c.due_at,
           coalesce(c.resolved_at, c.closed_at) AS done_at,
           c.rejected_at IS NOT NULL AND c.rejected_at <= %(as_of)s AS rejected
    FROM complaint AS c
    WHERE c.received_at <= %(as_of)s
      AND (%(from_day)s::date IS NULL
           OR (c.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date >= %(from_day)s::date)
      AND (%(to_day)s::date IS NULL
           OR (c.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date <= %(to_day)s::date)
      AND (%(fields)s::text[] IS NULL OR c.field_code = ANY(%(fields)s::text[]))
      AND (%(categories)s::text[] IS NULL OR c.category_code = ANY(%(categories)s::text[]))
), judged AS (
    SELECT code, received_at, done_at, rejected,
           NOT rejected AND done_at IS NOT NULL AND done_at <= %(as_of)s AS closed,
           due_at IS NOT NULL AND (
               CASE WHEN done_at IS NOT NULL AND done_at <= %(as_of)s THEN done_at > due_at
                    ELSE due_at < %(as_of)s END
           ) AS late
    FROM picked
)
SELECT code,
       count(*) AS received,
       count(*) FILTER (WHERE closed AND NOT late) AS closed_on_time,
       count(*) FILTER (WHERE closed AND late) AS closed_late,
       count(*) FILTER (WHERE NOT closed AND NOT rejected AND NOT late) AS open_not_due,
       count(*) FILTER (WHERE NOT closed AND NOT rejected AND late) AS open_overdue,
       count(*) FILTER (WHERE rejected) AS rejected,
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY extract(epoch FROM done_at - received_at) / 86400
       ) FILTER (WHERE closed) AS median_days_to_close
FROM judged
GROUP BY code
ORDER BY code NULLS LAST
