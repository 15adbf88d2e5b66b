-- One batch per source at a time (held until the batch transaction ends).
SELECT pg_advisory_xact_lock(hashtext('phananh-etl:' || %(source)s))
