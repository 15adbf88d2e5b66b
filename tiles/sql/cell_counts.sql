-- Complaints counted per H3 cell of `cells` (cell, geom_3857, area_km2; a CTE of the statement
-- that includes this) for the filters: whole months from the monthly rollup (cells of
-- resolution 7-9 for everything, '*', at 7-8 by channel, at 7 by field and category), the
-- days at the ends of the span (or every day, for fields and categories at resolutions 8-10, and
-- channels with them) from the daily rollup.
-- Identifiers: cell (h3_r7 .. h3_r10), measure (a rollup measure).
-- Parameters: resolution, fields, categories, channels, month_fields, month_categories and
-- month_channels (the monthly rows to read: NULL fields means any), use_months, month_from, month_to (exclusive),
-- use_days, day_from_1, day_to_1, day_from_2, day_to_2 (two spans of days, bounds included;
-- NULL spans are empty).
SELECT k.cell, sum(k.n)::integer AS n
FROM (
    SELECT m.cell, m.{measure} AS n
    FROM cells AS c
    JOIN rollup_cell_month AS m ON m.resolution = %(resolution)s AND m.cell = c.cell
    WHERE %(use_months)s
      AND (%(month_fields)s::text[] IS NULL OR m.field_code = ANY(%(month_fields)s::text[]))
      AND m.category_code = ANY(%(month_categories)s::text[])
      AND m.channel = ANY(%(month_channels)s::text[])
      AND (%(month_from)s::date IS NULL OR m.month >= %(month_from)s::date)
      AND (%(month_to)s::date IS NULL OR m.month < %(month_to)s::date)
    UNION ALL
    SELECT c.cell, r.{measure}
    FROM cells AS c
    JOIN rollup_cell_day AS r ON r.{cell} = c.cell
    WHERE %(use_days)s
      AND (r.day BETWEEN %(day_from_1)s::date AND %(day_to_1)s::date
           OR r.day BETWEEN %(day_from_2)s::date AND %(day_to_2)s::date)
      AND (%(fields)s::text[] IS NULL OR r.field_code = ANY(%(fields)s::text[]))
      AND (%(categories)s::text[] IS NULL OR r.category_code = ANY(%(categories)s::text[]))
      AND (%(channels)s::text[] IS NULL OR r.channel = ANY(%(channels)s::text[]))
) AS k
GROUP BY k.cell
HAVING sum(k.n) > 0
