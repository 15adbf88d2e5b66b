-- The batch's delta summed by H3 cells (resolutions 7-10), day, field and category.
CREATE UNLOGGED TABLE {agg_cells} AS
SELECT d.h3_r7, d.h3_r8, d.h3_r9, d.h3_r10, d.day, d.field_code, d.category_code,
       sum(d.sign)::int AS n, sum(d.sign * d.is_open)::int AS n_open,
       sum(d.sign * d.is_resolved)::int AS n_resolved,
       sum(d.sign * d.is_rejected)::int AS n_rejected, sum(d.sign * d.is_late)::int AS n_late,
       sum(d.sign * d.is_rated)::int AS n_rated, sum(d.sign * d.rating)::int AS rating_sum,
       sum(d.sign * d.resolve_hours)::float8 AS resolve_hours_sum
FROM {delta} AS d
WHERE d.h3_r10 IS NOT NULL
GROUP BY d.h3_r10, d.h3_r9, d.h3_r8, d.h3_r7, d.day, d.field_code, d.category_code
