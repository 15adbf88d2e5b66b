-- A batch's delta of rollup_cell_day, and whether a key lost a stored version (a removal).
CREATE UNLOGGED TABLE {agg_cells} AS
SELECT *, false AS removal FROM rollup_cell_day WITH NO DATA
