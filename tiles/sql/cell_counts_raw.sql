-- Complaints counted per H3 cell of `cells` (a CTE of the statement that includes this) from
-- the complaint rows themselves: for the filter the rollups do not keep (handling unit), whose
-- complaints come through their index (a unit has a few thousand a year).
-- Identifiers: cell (h3_r7 .. h3_r10).
-- Parameters: fields, categories, from_day, to_day, status, late, channels, units.
SELECT c.cell, count(*)::integer AS n
FROM cells AS c
JOIN complaint AS p ON p.{cell} = c.cell
WHERE (%(from_day)s::date IS NULL
       OR p.received_at >= (%(from_day)s::date::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'))
  AND (%(to_day)s::date IS NULL
       OR p.received_at < ((%(to_day)s::date + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'))
  AND (%(fields)s::text[] IS NULL OR p.field_code = ANY(%(fields)s::text[]))
  AND (%(categories)s::text[] IS NULL OR p.category_code = ANY(%(categories)s::text[]))
  AND (%(channels)s::text[] IS NULL OR p.channel = ANY(%(channels)s::text[]))
  AND (%(units)s::text[] IS NULL OR p.handling_unit_code = ANY(%(units)s::text[]))
  AND (%(status)s::text IS NULL
       OR (%(status)s = 'open' AND p.status IN ('received', 'assigned', 'processing'))
       OR (%(status)s = 'resolved' AND p.status IN ('resolved', 'closed'))
       OR (%(status)s = 'rejected' AND p.status = 'rejected'))
  AND (NOT %(late)s OR coalesce(p.resolved_at, p.closed_at) > p.due_at)
GROUP BY c.cell
