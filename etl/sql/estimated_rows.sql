-- Parameters: table.
SELECT greatest(c.reltuples, 0)::bigint
FROM pg_class AS c
WHERE c.oid = to_regclass(%(table)s)
