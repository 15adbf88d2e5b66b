CREATE UNLOGGED TABLE {units} (code text NOT NULL, name text NOT NULL, level text)
