-- Complaints open and past due at a cut-off (as_of), per handling unit, most overdue first:
-- received by as_of, neither resolved, closed nor rejected by then, due before it. The
-- status is the one the complaint had at as_of. Each unit's `limit` most overdue are listed,
-- with the unit's total. Parameters: as_of, units, fields, limit.
WITH overdue AS (
    SELECT c.handling_unit_code AS unit, c.id, c.source_id, c.received_at, c.due_at,
           c.field_code AS field, c.category_code AS category, c.current_ward_code AS ward,
           c.address,
           CASE WHEN c.processing_at <= %(as_of)s THEN 'processing'
                WHEN c.assigned_at <= %(as_of)s THEN 'assigned'
                ELSE 'received' END AS status,
           row_number() OVER (PARTITION BY c.handling_unit_code
                              ORDER BY c.due_at, c.id) AS place,
           count(*) OVER (PARTITION BY c.handling_unit_code) AS overdue
    FROM complaint AS c
    WHERE c.received_at <= %(as_of)s
      AND c.due_at < %(as_of)s
      AND coalesce(c.resolved_at, c.closed_at, 'infinity') > %(as_of)s
      AND coalesce(c.rejected_at, 'infinity') > %(as_of)s
      AND (%(units)s::text[] IS NULL OR c.handling_unit_code = ANY(%(units)s::text[]))
      AND (%(fields)s::text[] IS NULL OR c.field_code = ANY(%(fields)s::text[]))
)
SELECT unit, overdue, id, source_id, received_at, due_at, field, category, ward, address, status
FROM overdue
WHERE place <= %(limit)s
ORDER BY overdue DESC, unit NULLS LAST, place
