-- Rollups are shared by every source: one batch at a time adds to them.
SELECT pg_advisory_xact_lock(hashtext('phananh-etl-rollups'))
