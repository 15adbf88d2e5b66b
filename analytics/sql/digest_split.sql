-- Figures of a reporting window [start, end) judged at its cut-off (end), per handling unit ×
-- today's ward × field: the complaints received in the window split four ways (closed on time,
-- closed late, open not yet due, open overdue; rejected apart), and the backlog at the cut-off
-- whatever the reception day (open, and open past due). "Closed" is the first of resolved_at
-- and closed_at, as in timeliness.sql. Parameters: start, end, fields.
WITH picked AS (
    SELECT c.handling_unit_code AS unit, c.current_ward_code AS ward, c.field_code AS field,
           c.received_at >= %(start)s AS received, c.due_at,
           coalesce(c.resolved_at, c.closed_at) AS done_at,
           c.rejected_at IS NOT NULL AND c.rejected_at <= %(end)s AS rejected
    FROM complaint AS c
    WHERE c.received_at < %(end)s
      AND (c.received_at >= %(start)s
           OR (coalesce(c.resolved_at, c.closed_at) IS NULL
               OR coalesce(c.resolved_at, c.closed_at) > %(end)s)
              AND (c.rejected_at IS NULL OR c.rejected_at > %(end)s))
      AND (%(fields)s::text[] IS NULL OR c.field_code = ANY(%(fields)s::text[]))
), judged AS (
    SELECT unit, ward, field, received, rejected,
           NOT rejected AND done_at IS NOT NULL AND done_at <= %(end)s AS closed,
           due_at IS NOT NULL AND (
               CASE WHEN done_at IS NOT NULL AND done_at <= %(end)s THEN done_at > due_at
                    ELSE due_at < %(end)s END
           ) AS late
    FROM picked
)
SELECT unit, ward, field,
       count(*) FILTER (WHERE received) AS received,
       count(*) FILTER (WHERE received AND closed AND NOT late) AS closed_on_time,
       count(*) FILTER (WHERE received AND closed AND late) AS closed_late,
       count(*) FILTER (WHERE received AND NOT closed AND NOT rejected AND NOT late)
           AS open_not_due,
       count(*) FILTER (WHERE received AND NOT closed AND NOT rejected AND late) AS open_overdue,
       count(*) FILTER (WHERE received AND rejected) AS rejected,
       count(*) FILTER (WHERE NOT closed AND NOT rejected) AS backlog,
       count(*) FILTER (WHERE NOT closed AND NOT rejected AND late) AS backlog_overdue
FROM judged
GROUP BY unit, ward, field
