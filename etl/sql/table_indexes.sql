-- Indexes of a table that do not back a constraint, with their definitions. Parameters: table.
SELECT i.indexname, i.indexdef
FROM pg_indexes AS i
WHERE i.schemaname = current_schema() AND i.tablename = %(table)s
  AND NOT EXISTS (
      SELECT 1 FROM pg_constraint AS con
      WHERE con.conindid = to_regclass(quote_ident(i.indexname)) AND con.contype IN ('p', 'u')
  )
ORDER BY i.indexname
