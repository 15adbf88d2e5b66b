-- Cells among the given ones that have no hexagon geometry yet. Parameters: cells.
SELECT v.cell
FROM unnest(%(cells)s::bigint[]) AS v(cell)
WHERE NOT EXISTS (SELECT 1 FROM h3_cell AS h WHERE h.cell = v.cell)
