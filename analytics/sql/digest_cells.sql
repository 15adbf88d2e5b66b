-- Complaints per reporting window × handling unit × today's ward × field × H3 cell ({cell}:
-- one of h3_r7 .. h3_r10), for new hotspots. `bounds` holds the windows' starts and the last
-- window's end in order; `step` numbers the windows from 1. Parameters: bounds, fields.
SELECT width_bucket(c.received_at, %(bounds)s::timestamptz[]) AS step,
       c.handling_unit_code AS unit, c.current_ward_code AS ward, c.field_code AS field,
       c.{cell} AS cell, count(*) AS n
FROM complaint AS c
WHERE c.received_at >= (%(bounds)s::timestamptz[])[1]
  AND c.received_at < (%(bounds)s::timestamptz[])[cardinality(%(bounds)s::timestamptz[])]
  AND c.{cell} IS NOT NULL
  AND (%(fields)s::text[] IS NULL OR c.field_code = ANY(%(fields)s::text[]))
GROUP BY 1, 2, 3, 4, 5
