-- The batch's delta summed by unit (of the set on the reception day and, when it differs, of
-- today's set), day, field and category.
CREATE UNLOGGED TABLE {agg_units} AS
SELECT v.boundary_set, v.unit_code, d.day, d.field_code, d.category_code,
       sum(d.sign)::int AS n, sum(d.sign * d.is_open)::int AS n_open,
       sum(d.sign * d.is_resolved)::int AS n_resolved,
       sum(d.sign * d.is_rejected)::int AS n_rejected, sum(d.sign * d.is_late)::int AS n_late,
       sum(d.sign * d.is_rated)::int AS n_rated, sum(d.sign * d.rating)::int AS rating_sum,
       sum(d.sign * d.resolve_hours)::float8 AS resolve_hours_sum
FROM {delta} AS d
CROSS JOIN LATERAL (
    VALUES (d.ward_set, d.ward_code),
           (CASE WHEN d.current_set IS DISTINCT FROM d.ward_set THEN d.current_set END,
            d.current_ward_code)
) AS v(boundary_set, unit_code)
WHERE v.boundary_set IS NOT NULL AND v.unit_code IS NOT NULL
GROUP BY v.boundary_set, v.unit_code, d.day, d.field_code, d.category_code
