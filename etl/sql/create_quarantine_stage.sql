CREATE TEMP TABLE quarantine_stage (
    row_number integer, source_id text, reasons text[], details text, raw jsonb
) ON COMMIT DROP
