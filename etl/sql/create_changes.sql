-- For each staged row: the stored complaint with the same source id, and whether it changed.
CREATE UNLOGGED TABLE {changes} AS
SELECT s.row_number, c.id AS complaint_id,
       CASE WHEN c.id IS NULL THEN 'insert'
            WHEN c.content_hash = s.content_hash THEN 'same'
            ELSE 'update' END AS change
FROM {stage} AS s
LEFT JOIN complaint AS c ON c.source = s.source AND c.source_id = s.source_id
