-- Drop rollup rows that updates emptied (only keys touched by a removal can be empty).
WITH gone AS (
    SELECT DISTINCT d.day, d.field_code, d.category_code, d.h3_r7, d.h3_r8, d.h3_r9, d.h3_r10,
           d.ward_set, d.ward_code, d.current_set, d.current_ward_code
    FROM {delta} AS d
    WHERE d.sign < 0
), cells AS (
    DELETE FROM rollup_cell_day AS r
    USING gone AS g
    WHERE r.n = 0 AND r.h3_r10 = g.h3_r10 AND r.h3_r9 = g.h3_r9 AND r.h3_r8 = g.h3_r8
      AND r.h3_r7 = g.h3_r7 AND r.day = g.day AND r.field_code = g.field_code
      AND r.category_code = g.category_code
)
DELETE FROM rollup_unit_day AS r
USING gone AS g
WHERE r.n = 0 AND r.day = g.day AND r.field_code = g.field_code
  AND r.category_code = g.category_code
  AND ((r.boundary_set = g.ward_set AND r.unit_code = g.ward_code)
       OR (r.boundary_set = g.current_set AND r.unit_code = g.current_ward_code))
