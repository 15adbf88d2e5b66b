-- Primary key and unique constraints of a table, with their definitions. Parameters: table.
SELECT con.conname, pg_get_constraintdef(con.oid)
FROM pg_constraint AS con
WHERE con.conrelid = to_regclass(%(table)s) AND con.contype IN ('p', 'u')
ORDER BY con.contype, con.conname
