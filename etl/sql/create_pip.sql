-- Raw point-in-polygon results, one row per (point, set, unit piece) found.
CREATE UNLOGGED TABLE {pip} (row_number integer NOT NULL, set_id integer NOT NULL, code text NOT NULL)
