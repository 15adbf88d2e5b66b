-- Rollup contributions to remove (old versions of updated complaints, sign -1) and to add
-- (new and updated complaints, sign +1). Parameters: tz.
CREATE UNLOGGED TABLE {delta} AS
WITH old AS (
    SELECT -1 AS sign, c.received_at, c.field_code, c.category_code, c.status, c.resolved_at,
           c.closed_at, c.due_at, c.satisfaction, c.ward_set, c.ward_code, c.current_set,
           c.current_ward_code, c.h3_r7, c.h3_r8, c.h3_r9, c.h3_r10
    FROM complaint AS c
    JOIN {changes} AS ch ON ch.complaint_id = c.id
    WHERE ch.change = 'update'
), new AS (
    SELECT 1 AS sign, s.received_at, s.field_code, s.category_code, s.status, s.resolved_at,
           s.closed_at, s.due_at, s.satisfaction, l.ward_set, l.ward_code, l.current_set,
           l.current_ward_code, s.h3_r7, s.h3_r8, s.h3_r9, s.h3_r10
    FROM {stage} AS s
    JOIN {located} AS l ON l.row_number = s.row_number
    JOIN {changes} AS ch ON ch.row_number = s.row_number
    WHERE ch.change <> 'same'
)
SELECT r.sign,
       (r.received_at AT TIME ZONE %(tz)s)::date AS day,
       r.field_code,
       coalesce(r.category_code, '') AS category_code,
       r.ward_set, r.ward_code, r.current_set, r.current_ward_code,
       r.h3_r7, r.h3_r8, r.h3_r9, r.h3_r10,
       (r.status IN ('received', 'assigned', 'processing'))::int AS is_open,
       (r.status IN ('resolved', 'closed'))::int AS is_resolved,
       (r.status = 'rejected')::int AS is_rejected,
       coalesce((coalesce(r.resolved_at, r.closed_at) > r.due_at), false)::int AS is_late,
       (r.satisfaction IS NOT NULL)::int AS is_rated,
       coalesce(r.satisfaction, 0)::int AS rating,
       CASE WHEN r.status IN ('resolved', 'closed') AND coalesce(r.resolved_at, r.closed_at)
                 IS NOT NULL
            THEN extract(epoch FROM coalesce(r.resolved_at, r.closed_at) - r.received_at) / 3600
            ELSE 0 END::float8 AS resolve_hours
FROM (SELECT * FROM old UNION ALL SELECT * FROM new) AS r
