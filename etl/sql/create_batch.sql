-- Open a ledger entry (committed at once, so an interrupted batch stays visible).
-- Parameters: source, file_name, file_sha256, mapping, mapping_sha256.
INSERT INTO etl_batch (source, file_name, file_sha256, mapping, mapping_sha256, stats)
VALUES (%(source)s, %(file_name)s, %(file_sha256)s, %(mapping)s, %(mapping_sha256)s,
        jsonb_build_object('pid', pg_backend_pid()))
RETURNING id
