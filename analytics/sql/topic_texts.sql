-- Complaint texts of a reporting week and of the baseline weeks before it, per today's ward:
-- identical texts of a ward and period come once, with their number of complaints. A
-- complaint without a ward counts in the city only. Parameters: start (of the first baseline
-- week), week_start, end (half-open), ward (or NULL for all), fields, categories.
SELECT c.current_ward_code AS ward,
       c.received_at >= %(week_start)s AS in_week,
       c.description AS text,
       count(*)::int AS n
FROM complaint AS c
WHERE c.received_at >= %(start)s
  AND c.received_at < %(end)s
  AND c.description IS NOT NULL
  AND (%(ward)s::text IS NULL OR c.current_ward_code = %(ward)s::text)
  AND (%(fields)s::text[] IS NULL OR c.field_code = ANY(%(fields)s::text[]))
  AND (%(categories)s::text[] IS NULL OR c.category_code = ANY(%(categories)s::text[]))
GROUP BY 1, 2, 3
