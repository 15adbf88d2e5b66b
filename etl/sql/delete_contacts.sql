-- Contact details of changed complaints: replaced by the new version's (if any).
DELETE FROM complaint_contact AS cc
USING {stage} AS s
JOIN {changes} AS ch ON ch.row_number = s.row_number
WHERE ch.change = 'update'
  AND cc.source = s.source AND cc.source_id = s.source_id
