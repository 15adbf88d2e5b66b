-- Drop rollup rows that updates emptied (only keys that lost a stored version can be empty).
WITH months AS (
    DELETE FROM rollup_cell_month AS r
    USING {agg_months} AS a
    WHERE a.removal AND r.n = 0 AND r.resolution = a.resolution AND r.cell = a.cell
      AND r.month = a.month AND r.field_code = a.field_code
      AND r.category_code = a.category_code AND r.channel = a.channel
), cells AS (
    DELETE FROM rollup_cell_day AS r
    USING {agg_cells} AS a
    WHERE a.removal AND r.n = 0 AND r.h3_r10 = a.h3_r10 AND r.h3_r9 = a.h3_r9
      AND r.h3_r8 = a.h3_r8 AND r.h3_r7 = a.h3_r7 AND r.day = a.day
      AND r.field_code = a.field_code AND r.category_code = a.category_code
      AND r.channel = a.channel
)
DELETE FROM rollup_unit_day AS r
USING {agg_units} AS a
WHERE a.removal AND r.n = 0 AND r.boundary_set = a.boundary_set
  AND r.unit_code = a.unit_code AND r.day = a.day AND r.field_code = a.field_code
  AND r.category_code = a.category_code
