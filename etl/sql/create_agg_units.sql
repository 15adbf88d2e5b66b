-- A batch's delta of rollup_unit_day, and whether a key lost a stored version (a removal).
CREATE UNLOGGED TABLE {agg_units} AS
SELECT *, false AS removal FROM rollup_unit_day WITH NO DATA
