-- Cells used by the batch that have no hexagon geometry yet.
SELECT DISTINCT v.cell
FROM {delta} AS d
CROSS JOIN LATERAL (VALUES (d.h3_r7), (d.h3_r8), (d.h3_r9), (d.h3_r10)) AS v(cell)
WHERE d.sign > 0 AND v.cell IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM h3_cell AS h WHERE h.cell = v.cell)
