COPY quarantine_stage (row_number, source_id, reasons, details, raw) FROM STDIN
