-- Contact details of changed complaints: replaced by the new version's (if any).
DELETE FROM complaint_contact AS cc
USING {updates} AS u
WHERE cc.source = u.source AND cc.source_id = u.source_id
