-- A batch's delta of rollup_cell_month, and whether a key lost a stored version (a removal).
CREATE UNLOGGED TABLE {agg_months} AS
SELECT *, false AS removal FROM rollup_cell_month WITH NO DATA
